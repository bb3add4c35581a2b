"""ledger: log_nodes keeps only the perfect subtrees of every fourth level (4, 8, 12...)

The levels between are rebuilt from the leaves when the tree is loaded; appends write one node row
per 16 entries instead of one per entry.

Revision ID: ledger_0002
Revises: ledger_0001
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ledger_0002"
down_revision: str | Sequence[str] | None = "ledger_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM log_nodes WHERE level % 4 <> 0")


def downgrade() -> None:
    # The dropped levels are a function of the leaves: rebuild them with a frontier pass over the leaf hashes.
    conn = op.get_bind()
    insert = sa.text("INSERT INTO log_nodes (level, idx, hash) VALUES (:level, :idx, :hash)")
    rows = conn.execute(sa.text("SELECT leaf_hash FROM log_entries ORDER BY seq")).scalars()
    frontier: list[bytes] = []
    batch: list[dict[str, object]] = []
    for size, leaf in enumerate(rows):
        node, index, level = bytes(leaf), size, 0
        while index & 1:
            node = hashlib.sha256(b"\x01" + frontier.pop() + node).digest()
            index >>= 1
            level += 1
            if level % 4:
                batch.append({"level": level, "idx": index, "hash": node})
        frontier.append(node)
        if len(batch) >= 10_000:
            conn.execute(insert, batch)
            batch = []
    if batch:
        conn.execute(insert, batch)
