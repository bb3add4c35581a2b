"""casualties: sources, import batches, casualty records, linkage runs, assignments and review pairs

Revision ID: casualties_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hague.db.base

revision: str = "casualties_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("casualties",)
depends_on: str | Sequence[str] | None = None

TS = hague.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "casualty_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("source_type", sa.String(length=32), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_casualty_sources_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_casualty_sources")),
        sa.UniqueConstraint("case_id", "code", name=op.f("uq_casualty_sources_case_id_code")),
    )
    op.create_index(op.f("ix_casualty_sources_case_id"), "casualty_sources", ["case_id"])
    op.create_table(
        "casualty_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_format", sa.String(length=8), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(length=80), nullable=False),
        sa.Column("imported_at", TS, nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("withdrawn_by", sa.String(length=80), nullable=True),
        sa.Column("withdrawn_at", TS, nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_casualty_imports_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["casualty_sources.id"], name=op.f("fk_casualty_imports_source_id_casualty_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_casualty_imports")),
    )
    op.create_index(op.f("ix_casualty_imports_case_id"), "casualty_imports", ["case_id"])
    op.create_index(op.f("ix_casualty_imports_source_id"), "casualty_imports", ["source_id"])
    op.create_table(
        "casualty_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("source_document", sa.String(length=500), nullable=False),
        sa.Column("name_original", sa.String(length=300), nullable=False),
        sa.Column("given_name", sa.String(length=120), nullable=False),
        sa.Column("surname", sa.String(length=120), nullable=False),
        sa.Column("patronymic", sa.String(length=120), nullable=False),
        sa.Column("transliterations", sa.JSON(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("sex", sa.String(length=8), nullable=False),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("age_group", sa.String(length=8), nullable=False),
        sa.Column("date_text", sa.String(length=10), nullable=False),
        sa.Column("place_name", sa.String(length=300), nullable=False),
        sa.Column("region", sa.String(length=80), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("territorial_control", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("harm_type", sa.String(length=120), nullable=False),
        sa.Column("circumstances", sa.Text(), nullable=False),
        sa.Column("alleged_actor", sa.String(length=200), nullable=False),
        sa.Column("verification", sa.String(length=16), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("evidence_erns", sa.JSON(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("victim_code", sa.String(length=24), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_casualty_records_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["import_id"], ["casualty_imports.id"], name=op.f("fk_casualty_records_import_id_casualty_imports")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["casualty_sources.id"], name=op.f("fk_casualty_records_source_id_casualty_sources")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_casualty_records_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_casualty_records")),
    )
    for column in ("case_id", "import_id", "source_id", "victim_code"):
        op.create_index(op.f(f"ix_casualty_records_{column}"), "casualty_records", [column])
    op.create_table(
        "casualty_link_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("run_by", sa.String(length=80), nullable=False),
        sa.Column("run_at", TS, nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("victims", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_casualty_link_runs_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_casualty_link_runs")),
    )
    op.create_index(op.f("ix_casualty_link_runs_case_id"), "casualty_link_runs", ["case_id"])
    op.create_table(
        "casualty_link_assignments",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("victim_code", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["casualty_link_runs.id"], name=op.f("fk_casualty_link_assignments_run_id_casualty_link_runs")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["casualty_records.id"],
            name=op.f("fk_casualty_link_assignments_record_id_casualty_records"),
        ),
        sa.PrimaryKeyConstraint("run_id", "record_id", name=op.f("pk_casualty_link_assignments")),
    )
    op.create_table(
        "casualty_link_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("record_a", sa.Integer(), nullable=False),
        sa.Column("record_b", sa.Integer(), nullable=False),
        sa.Column("probability", sa.String(length=24), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_casualty_link_pairs_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["casualty_link_runs.id"], name=op.f("fk_casualty_link_pairs_run_id_casualty_link_runs")
        ),
        sa.ForeignKeyConstraint(
            ["record_a"], ["casualty_records.id"], name=op.f("fk_casualty_link_pairs_record_a_casualty_records")
        ),
        sa.ForeignKeyConstraint(
            ["record_b"], ["casualty_records.id"], name=op.f("fk_casualty_link_pairs_record_b_casualty_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_casualty_link_pairs")),
        sa.UniqueConstraint(
            "case_id", "record_a", "record_b", name=op.f("uq_casualty_link_pairs_case_id_record_a_record_b")
        ),
    )
    op.create_index(op.f("ix_casualty_link_pairs_case_id"), "casualty_link_pairs", ["case_id"])
    op.create_index(op.f("ix_casualty_link_pairs_run_id"), "casualty_link_pairs", ["run_id"])
    op.create_table(
        "casualty_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("saved_by", sa.String(length=80), nullable=False),
        sa.Column("saved_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["casualty_sources.id"], name=op.f("fk_casualty_mappings_source_id_casualty_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_casualty_mappings")),
    )
    op.create_index(op.f("ix_casualty_mappings_source_id"), "casualty_mappings", ["source_id"])
    op.create_table(
        "casualty_link_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=False),
        sa.Column("decided_at", TS, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["casualty_link_pairs.id"], name=op.f("fk_casualty_link_decisions_pair_id_casualty_link_pairs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_casualty_link_decisions")),
    )
    op.create_index(op.f("ix_casualty_link_decisions_pair_id"), "casualty_link_decisions", ["pair_id"])


def downgrade() -> None:
    for table in (
        "casualty_link_decisions",
        "casualty_mappings",
        "casualty_link_pairs",
        "casualty_link_assignments",
        "casualty_link_runs",
        "casualty_records",
        "casualty_imports",
        "casualty_sources",
    ):
        op.drop_table(table)
