"""bundle: bundles created and imported, external references of items

Revision ID: bundle_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hague.db.base

revision: str = "bundle_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("bundle",)
depends_on: str | Sequence[str] | None = None

TS = hague.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bundles_created",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("recipient", sa.String(length=16), nullable=False),
        sa.Column("files_mode", sa.String(length=16), nullable=False),
        sa.Column("encrypted", sa.Boolean(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("withheld", sa.JSON(), nullable=False),
        sa.Column("checkpoint_size", sa.BigInteger(), nullable=False),
        sa.Column("checkpoint_root", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_bundles_created_sha256", "bundles_created", ["sha256"])
    op.create_index("ix_bundles_created_case_id", "bundles_created", ["case_id"])
    op.create_table(
        "bundles_imported",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("checkpoint", sa.Text(), nullable=False),
        sa.Column("checkpoint_size", sa.BigInteger(), nullable=False),
        sa.Column("checkpoint_root", sa.String(length=64), nullable=False),
        sa.Column("imported_by", sa.String(length=80), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("log_seq", sa.BigInteger(), nullable=True),
        sa.Column("imported_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_index("ix_bundles_imported_case_id", "bundles_imported", ["case_id"])
    op.create_table(
        "item_external_refs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("ern", sa.String(length=64), nullable=False),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"]),
        sa.ForeignKeyConstraint(["import_id"], ["bundles_imported.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_item_external_refs_item_id", "item_external_refs", ["item_id"])
    op.create_index("ix_item_external_refs_import_id", "item_external_refs", ["import_id"])


def downgrade() -> None:
    op.drop_table("item_external_refs")
    op.drop_table("bundles_imported")
    op.drop_table("bundles_created")
