"""Atomic, never-reused sequence numbers (case numbers, ERNs, pseudonyms) on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hague.evidence.models import Counter


def next_value(session: Session, scope: str, count: int = 1) -> int:
    """Advance the counter for `scope` by `count` in the caller's transaction; return the last value.

    With `count` > 1 the caller owns the block `value - count + 1 .. value`.
    """
    if count < 1:
        raise ValueError("count must be positive")
    dialect = session.get_bind().dialect.name
    ins = postgresql.insert(Counter) if dialect == "postgresql" else sqlite.insert(Counter)
    stmt = (
        ins.values(scope=scope, value=count)
        .on_conflict_do_update(index_elements=[Counter.scope], set_={"value": Counter.value + count})
        .returning(Counter.value)
    )
    return int(session.execute(stmt).scalar_one())
