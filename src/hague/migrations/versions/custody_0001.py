"""custody: custody events and state, integrity incidents, forensic records, workflow SOPs

Revision ID: custody_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hague.db.base

revision: str = "custody_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("custody",)
depends_on: str | Sequence[str] | None = None

TS = hague.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "custody_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=24), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("occurred_tz", sa.String(length=64), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("organisation_code", sa.String(length=16), nullable=False),
        sa.Column("counterpart_id", sa.Integer(), nullable=True),
        sa.Column("counterpart_name", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("facility", sa.String(length=200), nullable=False),
        sa.Column("room", sa.String(length=100), nullable=False),
        sa.Column("shelf", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("seal_numbers", sa.JSON(), nullable=False),
        sa.Column("seal_state", sa.String(length=16), nullable=False),
        sa.Column("condition", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_ref", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("log_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_custody_events_item_id_items")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_custody_events_case_id_cases")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_custody_events_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_custody_events_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(["counterpart_id"], ["users.id"], name=op.f("fk_custody_events_counterpart_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_events")),
        sa.UniqueConstraint("item_id", "seq", name=op.f("uq_custody_events_item_id_seq")),
    )
    op.create_index(op.f("ix_custody_events_item_id"), "custody_events", ["item_id"], unique=False)
    op.create_index(op.f("ix_custody_events_case_id"), "custody_events", ["case_id"], unique=False)
    op.create_table(
        "custody_state",
        sa.Column("item_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("custodian_id", sa.Integer(), nullable=True),
        sa.Column("receiver_id", sa.Integer(), nullable=True),
        sa.Column("examiner_id", sa.Integer(), nullable=True),
        sa.Column("checked_out", sa.Boolean(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_custody_state_item_id_items")),
        sa.ForeignKeyConstraint(["custodian_id"], ["users.id"], name=op.f("fk_custody_state_custodian_id_users")),
        sa.ForeignKeyConstraint(["receiver_id"], ["users.id"], name=op.f("fk_custody_state_receiver_id_users")),
        sa.ForeignKeyConstraint(["examiner_id"], ["users.id"], name=op.f("fk_custody_state_examiner_id_users")),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_custody_state")),
    )
    op.create_table(
        "custody_integrity_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("expected_sha256", sa.String(length=64), nullable=False),
        sa.Column("found_sha256", sa.String(length=64), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_custody_integrity_incidents_item_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_integrity_incidents")),
    )
    op.create_index(
        op.f("ix_custody_integrity_incidents_item_id"), "custody_integrity_incidents", ["item_id"], unique=False
    )
    op.create_table(
        "forensic_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("munition_type", sa.String(length=100), nullable=False),
        sa.Column("weapon_system", sa.String(length=100), nullable=False),
        sa.Column("headstamp", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_forensic_records_item_id_items")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_forensic_records_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forensic_records")),
        sa.UniqueConstraint("item_id", name=op.f("uq_forensic_records_item_id")),
    )
    for column in ("case_id", "form", "munition_type", "weapon_system", "headstamp"):
        op.create_index(op.f(f"ix_forensic_records_{column}"), "forensic_records", [column], unique=False)
    op.create_table(
        "workflow_sops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("registered_by", sa.String(length=80), nullable=False),
        sa.Column("registered_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_workflow_sops_organisation_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_sops")),
        sa.UniqueConstraint("organisation_id", "version", name=op.f("uq_workflow_sops_organisation_id")),
    )
    op.create_index(op.f("ix_workflow_sops_organisation_id"), "workflow_sops", ["organisation_id"], unique=False)


def downgrade() -> None:
    op.drop_table("workflow_sops")
    op.drop_table("forensic_records")
    op.drop_table("custody_integrity_incidents")
    op.drop_table("custody_state")
    op.drop_table("custody_events")
