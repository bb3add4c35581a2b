"""testimony: partner CLK imports for repeat warnings at interview time

Revision ID: testimony_0002
Revises: testimony_0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hague.db.base

revision: str = "testimony_0002"
down_revision: str | Sequence[str] | None = "testimony_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pprl_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("secret_key_id", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", hague.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_pprl_imports_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["organisations.id"], name=op.f("fk_pprl_imports_partner_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["secret_key_id"], ["vault_keys.id"], name=op.f("fk_pprl_imports_secret_key_id_vault_keys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pprl_imports")),
    )
    with op.batch_alter_table("pprl_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pprl_imports_case_id"), ["case_id"], unique=False)

    op.create_table(
        "pprl_partner_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("heard", sa.JSON(), nullable=False),
        sa.Column("clk", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["pprl_imports.id"], name=op.f("fk_pprl_partner_records_import_id_pprl_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pprl_partner_records")),
    )
    with op.batch_alter_table("pprl_partner_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pprl_partner_records_import_id"), ["import_id"], unique=False)

    op.create_table(
        "pprl_partner_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["pprl_imports.id"], name=op.f("fk_pprl_partner_tokens_import_id_pprl_imports")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["pprl_partner_records.id"],
            name=op.f("fk_pprl_partner_tokens_record_id_pprl_partner_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pprl_partner_tokens")),
    )
    with op.batch_alter_table("pprl_partner_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_pprl_partner_tokens_import_token", ["import_id", "token"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pprl_partner_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_pprl_partner_tokens_import_token")

    op.drop_table("pprl_partner_tokens")
    with op.batch_alter_table("pprl_partner_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pprl_partner_records_import_id"))

    op.drop_table("pprl_partner_records")
    with op.batch_alter_table("pprl_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pprl_imports_case_id"))

    op.drop_table("pprl_imports")
