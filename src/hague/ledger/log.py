"""Appending to the log inside the caller's transaction, so a record and its entry commit together.

Contract: callers MUST append in the same session/transaction as the record the entry attests.
The state row is locked (`FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already holds the
write lock), so indices are dense and never reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from hague.db.base import utcnow
from hague.ledger.canonical import canonical_json
from hague.ledger.models import LogEntry, LogNode, LogState
from hague.ledger.rfc9162 import frontier_append, frontier_root, leaf_hash, pack_frontier, unpack_frontier

ENTRY_VERSION = 1
_ENTRIES = cast(Table, LogEntry.__table__)
_NODES = cast(Table, LogNode.__table__)


@dataclass(frozen=True)
class Appended:
    """Where an entry landed: its index and leaf hash."""

    seq: int
    leaf_hash: bytes


def _locked_state(session: Session) -> LogState:
    stmt = select(LogState).where(LogState.id == 1)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    state = session.execute(stmt).scalar_one_or_none()
    if state is None:
        state = LogState(id=1, size=0, frontier=b"")
        session.add(state)
        session.flush()
    return state


def entry_body(kind: str, fields: dict[str, Any]) -> bytes:
    """The canonical bytes of an entry: type, version and the attested fields."""
    return canonical_json({"type": kind, "v": ENTRY_VERSION, **fields})


def append_many(session: Session, entries: list[tuple[str, dict[str, Any]]]) -> list[Appended]:
    """Append several entries in order within the current transaction (group commit)."""
    if not entries:
        return []
    state = _locked_state(session)
    frontier = unpack_frontier(state.frontier)
    size = state.size
    now = utcnow()
    rows: list[dict[str, Any]] = []
    nodes: list[dict[str, Any]] = []
    out: list[Appended] = []
    for kind, fields in entries:
        body = entry_body(kind, fields)
        leaf = leaf_hash(body)
        for level, idx, digest in frontier_append(frontier, size, leaf):
            if level:
                nodes.append({"level": level, "idx": idx, "hash": digest})
        rows.append({"seq": size, "kind": kind, "body": body, "leaf_hash": leaf, "created_at": now})
        out.append(Appended(size, leaf))
        size += 1
    # Core executemany on the session's connection: same transaction, without ORM bookkeeping per row.
    conn = session.connection()
    conn.execute(insert(_ENTRIES), rows)
    if nodes:
        conn.execute(insert(_NODES), nodes)
    session.execute(update(LogState).where(LogState.id == 1).values(size=size, frontier=pack_frontier(frontier)))
    session.expire(state)
    return out


def append(session: Session, kind: str, fields: dict[str, Any]) -> Appended:
    """Append one entry attesting `fields` (which SHOULD include the attested record's hash)."""
    return append_many(session, [(kind, fields)])[0]


def log_size(session: Session) -> int:
    """Number of entries in the log."""
    state = session.get(LogState, 1)
    return 0 if state is None else state.size


def root_hash(session: Session) -> bytes:
    """The current RFC 9162 root, from the stored frontier."""
    state = session.get(LogState, 1)
    return frontier_root([] if state is None else unpack_frontier(state.frontier))
