"""ledger: log_refs, the entries that name an item (their `ern` field), filled from the existing entries

Revision ID: ledger_0004
Revises: ledger_0003
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ledger_0004"
down_revision: str | Sequence[str] | None = "ledger_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "log_refs",
        sa.Column("ern", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("ern", "seq", name=op.f("pk_log_refs")),
    )
    conn = op.get_bind()
    insert = sa.text("INSERT INTO log_refs (ern, seq) VALUES (:ern, :seq)")
    batch: list[dict[str, object]] = []
    for seq, body in conn.execute(sa.text("SELECT seq, body FROM log_entries ORDER BY seq")):
        ern = json.loads(bytes(body)).get("ern")
        if isinstance(ern, str) and len(ern) <= 64:
            batch.append({"ern": ern, "seq": seq})
        if len(batch) >= 10_000:
            conn.execute(insert, batch)
            batch = []
    if batch:
        conn.execute(insert, batch)


def downgrade() -> None:
    op.drop_table("log_refs")
