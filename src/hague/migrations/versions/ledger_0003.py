"""ledger: on SQLite, log_entries.seq is the table's rowid (INTEGER PRIMARY KEY)

A BIGINT primary key is a separate index beside SQLite's rowid b-tree; as the rowid itself every append
writes one b-tree fewer. PostgreSQL is unchanged.

Revision ID: ledger_0003
Revises: ledger_0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ledger_0003"
down_revision: str | Sequence[str] | None = "ledger_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _seq_type(new: sa.types.TypeEngine[int], old: sa.types.TypeEngine[int]) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("log_entries", recreate="always") as batch:
        batch.alter_column("seq", type_=new, existing_type=old, existing_nullable=False, autoincrement=False)


def upgrade() -> None:
    _seq_type(sa.Integer(), sa.BigInteger())


def downgrade() -> None:
    _seq_type(sa.BigInteger(), sa.Integer())
