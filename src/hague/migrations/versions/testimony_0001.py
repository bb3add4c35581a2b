"""testimony: identity vault, witnesses, blind index, interviews, consent, reveals, redactions, PPRL exports

Revision ID: testimony_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hague.db.base

revision: str = "testimony_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("testimony",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vault_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("master_key_id", sa.String(length=16), nullable=False),
        sa.Column("nonce", sa.LargeBinary(length=12), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", hague.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_vault_keys_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vault_keys")),
        sa.UniqueConstraint("case_id", "purpose", "version", name=op.f("uq_vault_keys_case_id_purpose_version")),
    )
    with op.batch_alter_table("vault_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vault_keys_case_id"), ["case_id"], unique=False)

    op.create_table(
        "witnesses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", hague.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("clk", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_witnesses_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_witnesses_organisation_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witnesses")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_witnesses_pseudonym")),
    )
    with op.batch_alter_table("witnesses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_witnesses_case_id"), ["case_id"], unique=False)

    op.create_table(
        "witness_identities",
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.LargeBinary(length=12), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["key_id"], ["vault_keys.id"], name=op.f("fk_witness_identities_key_id_vault_keys")),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["witnesses.id"], name=op.f("fk_witness_identities_witness_id_witnesses")
        ),
        sa.PrimaryKeyConstraint("witness_id", name=op.f("pk_witness_identities")),
    )
    op.create_table(
        "witness_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_witness_tokens_case_id_cases")),
        sa.ForeignKeyConstraint(["witness_id"], ["witnesses.id"], name=op.f("fk_witness_tokens_witness_id_witnesses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witness_tokens")),
    )
    with op.batch_alter_table("witness_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_witness_tokens_case_token", ["case_id", "token"], unique=False)
        batch_op.create_index(batch_op.f("ix_witness_tokens_witness_id"), ["witness_id"], unique=False)

    op.create_table(
        "interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("interview_date", sa.Date(), nullable=False),
        sa.Column("start_time", sa.String(length=5), nullable=False),
        sa.Column("end_time", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("interviewers", sa.JSON(), nullable=False),
        sa.Column("interpreter", sa.String(length=200), nullable=False),
        sa.Column("persons_present", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("vulnerability", sa.Text(), nullable=False),
        sa.Column("protection_needs", sa.Text(), nullable=False),
        sa.Column("referrals", sa.JSON(), nullable=False),
        sa.Column("breaks", sa.JSON(), nullable=False),
        sa.Column("recording_method", sa.String(length=32), nullable=False),
        sa.Column("read_back", sa.Boolean(), nullable=False),
        sa.Column("signed", sa.Boolean(), nullable=False),
        sa.Column("signature_note", sa.Text(), nullable=False),
        sa.Column("consent_given_on", sa.Date(), nullable=False),
        sa.Column("consent_form", sa.String(length=16), nullable=False),
        sa.Column("consent_scope", sa.JSON(), nullable=False),
        sa.Column("consent_partners", sa.JSON(), nullable=False),
        sa.Column("consent_defence", sa.Boolean(), nullable=False),
        sa.Column("consent_withdrawal_effects", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", hague.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_interviews_item_id_items")),
        sa.ForeignKeyConstraint(["witness_id"], ["witnesses.id"], name=op.f("fk_interviews_witness_id_witnesses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interviews")),
        sa.UniqueConstraint("item_id", name=op.f("uq_interviews_item_id")),
    )
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interviews_witness_id"), ["witness_id"], unique=False)

    op.create_table(
        "consent_withdrawals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", hague.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("effects", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"], ["interviews.id"], name=op.f("fk_consent_withdrawals_interview_id_interviews")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_consent_withdrawals_organisation_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_withdrawals")),
    )
    with op.batch_alter_table("consent_withdrawals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_withdrawals_interview_id"), ["interview_id"], unique=False)

    op.create_table(
        "identity_reveals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reason_hash", sa.String(length=64), nullable=False),
        sa.Column("revealed_at", hague.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_identity_reveals_user_id_users")),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["witnesses.id"], name=op.f("fk_identity_reveals_witness_id_witnesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_reveals")),
    )
    with op.batch_alter_table("identity_reveals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identity_reveals_witness_id"), ["witness_id"], unique=False)

    op.create_table(
        "redaction_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("source_file_id", sa.Integer(), nullable=False),
        sa.Column("text_file_id", sa.Integer(), nullable=False),
        sa.Column("pdf_file_id", sa.Integer(), nullable=False),
        sa.Column("ern_suffix", sa.String(length=16), nullable=False),
        sa.Column("decision", sa.String(length=300), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", hague.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_redaction_versions_item_id_items")),
        sa.ForeignKeyConstraint(["pdf_file_id"], ["files.id"], name=op.f("fk_redaction_versions_pdf_file_id_files")),
        sa.ForeignKeyConstraint(
            ["source_file_id"], ["files.id"], name=op.f("fk_redaction_versions_source_file_id_files")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["redaction_versions.id"],
            name=op.f("fk_redaction_versions_supersedes_id_redaction_versions"),
        ),
        sa.ForeignKeyConstraint(["text_file_id"], ["files.id"], name=op.f("fk_redaction_versions_text_file_id_files")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redaction_versions")),
    )
    with op.batch_alter_table("redaction_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_redaction_versions_item_id"), ["item_id"], unique=False)

    op.create_table(
        "redactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["redaction_versions.id"], name=op.f("fk_redactions_version_id_redaction_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redactions")),
    )
    with op.batch_alter_table("redactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_redactions_version_id"), ["version_id"], unique=False)

    op.create_table(
        "pprl_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", hague.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_pprl_exports_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["organisations.id"], name=op.f("fk_pprl_exports_partner_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pprl_exports")),
    )
    with op.batch_alter_table("pprl_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pprl_exports_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pprl_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pprl_exports_case_id"))

    op.drop_table("pprl_exports")
    with op.batch_alter_table("redactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_redactions_version_id"))

    op.drop_table("redactions")
    with op.batch_alter_table("redaction_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_redaction_versions_item_id"))

    op.drop_table("redaction_versions")
    with op.batch_alter_table("identity_reveals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_reveals_witness_id"))

    op.drop_table("identity_reveals")
    with op.batch_alter_table("consent_withdrawals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_withdrawals_interview_id"))

    op.drop_table("consent_withdrawals")
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interviews_witness_id"))

    op.drop_table("interviews")
    with op.batch_alter_table("witness_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_witness_tokens_witness_id"))
        batch_op.drop_index("ix_witness_tokens_case_token")

    op.drop_table("witness_tokens")
    op.drop_table("witness_identities")
    with op.batch_alter_table("witnesses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_witnesses_case_id"))

    op.drop_table("witnesses")
    with op.batch_alter_table("vault_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vault_keys_case_id"))

    op.drop_table("vault_keys")
