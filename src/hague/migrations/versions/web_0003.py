"""web: Ukrainian stemming in PostgreSQL search (hunspell-uk via an ispell dictionary), when the server has it

Revision ID: web_0003
Revises: web_0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "web_0003"
down_revision: str | Sequence[str] | None = "web_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CREATE = "CREATE TEXT SEARCH DICTIONARY hague_uk (TEMPLATE = ispell, DictFile = uk_ua, AffFile = uk_ua)"
MAP = "ALTER TEXT SEARCH CONFIGURATION hague_text ALTER MAPPING FOR hword, hword_part, word WITH {}"


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    try:
        with conn.begin_nested():
            conn.execute(sa.text(CREATE))
    except sa.exc.DBAPIError:
        return  # no uk_ua.affix/.dict on this server: search keeps the unstemmed mapping
    conn.execute(sa.text(MAP.format("hague_uk, unaccent, simple")))
    conn.execute(sa.text("SELECT hague_item_search_refresh(id) FROM items"))


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    conn.execute(sa.text(MAP.format("unaccent, simple")))
    conn.execute(sa.text("DROP TEXT SEARCH DICTIONARY IF EXISTS hague_uk"))
    conn.execute(sa.text("SELECT hague_item_search_refresh(id) FROM items"))
