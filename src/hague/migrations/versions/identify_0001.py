"""identify: AM reports, PM records, samples, STR profiles, frequency databases, pedigrees, matches

Revision ID: identify_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hague.db.base

revision: str = "identify_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("identify",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identify_am_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("missing_person", sa.String(length=64), nullable=False),
        sa.Column("reporter", sa.String(length=40), nullable=False),
        sa.Column("family_id", sa.String(length=64), nullable=False),
        sa.Column("circumstances", sa.Text(), nullable=False),
        sa.Column("last_seen_place", sa.String(length=300), nullable=False),
        sa.Column("last_seen_date", sa.Date(), nullable=True),
        sa.Column("relatives", sa.JSON(), nullable=False),
        sa.Column("consent_scope", sa.String(length=300), nullable=False),
        sa.Column("sharing_scope", sa.String(length=300), nullable=False),
        sa.Column("descriptors", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", hague.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_identify_am_reports_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identify_am_reports")),
        sa.UniqueConstraint(
            "case_id",
            "family_id",
            "missing_person",
            name=op.f("uq_identify_am_reports_case_id_family_id_missing_person"),
        ),
        sa.UniqueConstraint("code", name=op.f("uq_identify_am_reports_code")),
    )
    op.create_index(op.f("ix_identify_am_reports_case_id"), "identify_am_reports", ["case_id"], unique=False)
    op.create_table(
        "identify_frequency_dbs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("min_frequency", sa.String(length=32), nullable=False),
        sa.Column("markers", sa.JSON(), nullable=False),
        sa.Column("mutation", sa.JSON(), nullable=False),
        sa.Column("created_at", hague.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_identify_frequency_dbs_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identify_frequency_dbs")),
        sa.UniqueConstraint("case_id", "name", name=op.f("uq_identify_frequency_dbs_case_id_name")),
    )
    op.create_index(op.f("ix_identify_frequency_dbs_case_id"), "identify_frequency_dbs", ["case_id"], unique=False)
    op.create_table(
        "identify_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("remains", sa.String(length=64), nullable=False),
        sa.Column("family_id", sa.String(length=64), nullable=False),
        sa.Column("missing_person", sa.String(length=64), nullable=False),
        sa.Column("log10_lr", sa.String(length=40), nullable=False),
        sa.Column("exclusions", sa.Integer(), nullable=False),
        sa.Column("markers", sa.Integer(), nullable=False),
        sa.Column("database", sa.String(length=100), nullable=False),
        sa.Column("threshold", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", hague.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_identify_matches_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identify_matches")),
        sa.UniqueConstraint(
            "case_id",
            "remains",
            "family_id",
            "missing_person",
            name=op.f("uq_identify_matches_case_id_remains_family_id_missing_person"),
        ),
    )
    op.create_index(op.f("ix_identify_matches_case_id"), "identify_matches", ["case_id"], unique=False)
    op.create_table(
        "identify_pedigrees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.String(length=64), nullable=False),
        sa.Column("persons", sa.JSON(), nullable=False),
        sa.Column("created_at", hague.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_identify_pedigrees_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identify_pedigrees")),
        sa.UniqueConstraint("case_id", "family_id", name=op.f("uq_identify_pedigrees_case_id_family_id")),
    )
    op.create_index(op.f("ix_identify_pedigrees_case_id"), "identify_pedigrees", ["case_id"], unique=False)
    op.create_table(
        "identify_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=False),
        sa.Column("genotypes", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("created_at", hague.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_identify_profiles_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identify_profiles")),
        sa.UniqueConstraint("case_id", "barcode", name=op.f("uq_identify_profiles_case_id_barcode")),
    )
    op.create_index(op.f("ix_identify_profiles_case_id"), "identify_profiles", ["case_id"], unique=False)
    op.create_table(
        "identify_match_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("by", sa.String(length=80), nullable=False),
        sa.Column("at", hague.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["match_id"], ["identify_matches.id"], name=op.f("fk_identify_match_events_match_id_identify_matches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identify_match_events")),
    )
    op.create_index(op.f("ix_identify_match_events_match_id"), "identify_match_events", ["match_id"], unique=False)
    op.create_table(
        "identify_pm_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("recovery_site", sa.String(length=300), nullable=False),
        sa.Column("grave", sa.String(length=100), nullable=False),
        sa.Column("body_number", sa.String(length=64), nullable=False),
        sa.Column("bag_number", sa.String(length=64), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("recovered_at", hague.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("descriptors", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", hague.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_identify_pm_records_case_id_cases")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_identify_pm_records_item_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identify_pm_records")),
        sa.UniqueConstraint("code", name=op.f("uq_identify_pm_records_code")),
    )
    op.create_index(op.f("ix_identify_pm_records_case_id"), "identify_pm_records", ["case_id"], unique=False)
    op.create_table(
        "identify_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("pm_id", sa.Integer(), nullable=True),
        sa.Column("missing_person", sa.String(length=64), nullable=False),
        sa.Column("sex", sa.String(length=8), nullable=False),
        sa.Column("age_min", sa.Integer(), nullable=True),
        sa.Column("age_max", sa.Integer(), nullable=True),
        sa.Column("created_at", hague.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_identify_samples_case_id_cases")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_identify_samples_item_id_items")),
        sa.ForeignKeyConstraint(
            ["pm_id"], ["identify_pm_records.id"], name=op.f("fk_identify_samples_pm_id_identify_pm_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identify_samples")),
        sa.UniqueConstraint("case_id", "barcode", name=op.f("uq_identify_samples_case_id_barcode")),
    )
    op.create_index(op.f("ix_identify_samples_case_id"), "identify_samples", ["case_id"], unique=False)


def downgrade() -> None:
    for table in (
        "identify_match_events",
        "identify_matches",
        "identify_samples",
        "identify_pm_records",
        "identify_pedigrees",
        "identify_profiles",
        "identify_frequency_dbs",
        "identify_am_reports",
    ):
        op.drop_table(table)
