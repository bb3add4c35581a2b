"""ledger: signing keys, signed checkpoints, witnesses, cosignatures, verify runs

Revision ID: ledger_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hague.db.base

revision: str = "ledger_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("ledger",)
depends_on: str | Sequence[str] | None = None

TS = hague.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "log_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key_id", sa.String(length=8), nullable=False),
        sa.Column("vkey", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("retired_at", TS, nullable=True),
        sa.Column("handover", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_keys")),
        sa.UniqueConstraint("key_id", name=op.f("uq_log_keys_key_id")),
    )
    op.create_table(
        "log_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=8), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("tsa_token", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_checkpoints")),
    )
    op.create_index(op.f("ix_log_checkpoints_size"), "log_checkpoints", ["size"], unique=False)
    op.create_table(
        "log_witnesses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("vkey", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("added_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_witnesses")),
        sa.UniqueConstraint("name", name=op.f("uq_log_witnesses_name")),
    )
    op.create_table(
        "log_cosignatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"], ["log_checkpoints.id"], name=op.f("fk_log_cosignatures_checkpoint_id_log_checkpoints")
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["log_witnesses.id"], name=op.f("fk_log_cosignatures_witness_id_log_witnesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_cosignatures")),
        sa.UniqueConstraint("checkpoint_id", "witness_id", name=op.f("uq_log_cosignatures_checkpoint_id")),
    )
    op.create_index(op.f("ix_log_cosignatures_checkpoint_id"), "log_cosignatures", ["checkpoint_id"], unique=False)
    op.create_table(
        "log_verify_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.LargeBinary(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_verify_runs")),
    )


def downgrade() -> None:
    op.drop_table("log_verify_runs")
    op.drop_index(op.f("ix_log_cosignatures_checkpoint_id"), table_name="log_cosignatures")
    op.drop_table("log_cosignatures")
    op.drop_table("log_witnesses")
    op.drop_index(op.f("ix_log_checkpoints_size"), table_name="log_checkpoints")
    op.drop_table("log_checkpoints")
    op.drop_table("log_keys")
