"""media: extraction runs per stored file, perceptual hashes for near-duplicate search

Revision ID: media_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hague.db.base

revision: str = "media_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("media",)
depends_on: str | Sequence[str] | None = None

TS = hague.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "media_extractions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sniffed_mime", sa.String(length=200), nullable=False),
        sa.Column("tools", sa.JSON(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("phash", sa.JSON(), nullable=False),
        sa.Column("extracted_at", TS, nullable=False),
        sa.CheckConstraint("status IN ('ok', 'partial', 'failed')", name=op.f("ck_media_extractions_status")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_media_extractions_case_id_cases")),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_media_extractions_file_id_files")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_media_extractions_item_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_extractions")),
        sa.UniqueConstraint("file_id", "run", name=op.f("uq_media_extractions_file_id_run")),
    )
    with op.batch_alter_table("media_extractions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_media_extractions_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_media_extractions_file_id"), ["file_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_media_extractions_item_id"), ["item_id"], unique=False)
    op.create_table(
        "media_hashes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("extraction_id", sa.Integer(), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("frame", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_media_hashes_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["extraction_id"], ["media_extractions.id"], name=op.f("fk_media_hashes_extraction_id_media_extractions")
        ),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_media_hashes_file_id_files")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_media_hashes_item_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_hashes")),
    )
    with op.batch_alter_table("media_hashes", schema=None) as batch_op:
        batch_op.create_index("ix_media_hashes_case_id_id", ["case_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_media_hashes_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    op.drop_table("media_hashes")
    op.drop_table("media_extractions")
