"""Atomic, never-reused sequence numbers (case numbers, ERNs, pseudonyms) on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hague.evidence.models import Counter


def next_value(session: Session, scope: str) -> int:
    """Increment and return the counter for `scope`, inside the caller's transaction."""
    dialect = session.get_bind().dialect.name
    ins = postgresql.insert(Counter) if dialect == "postgresql" else sqlite.insert(Counter)
    stmt = (
        ins.values(scope=scope, value=1)
        .on_conflict_do_update(index_elements=[Counter.scope], set_={"value": Counter.value + 1})
        .returning(Counter.value)
    )
    return int(session.execute(stmt).scalar_one())
