"""Appending to the log inside the caller's transaction, so a record and its entry commit together.

Contract: callers MUST append in the same session/transaction as the record the entry attests.
The state row is locked (`FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already holds the
write lock), so indices are dense and never reused.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, Table, select, update
from sqlalchemy.orm import Session

from hague.db.base import utcnow
from hague.ledger.canonical import canonical_json
from hague.ledger.models import LogEntry, LogState
from hague.ledger.rfc9162 import frontier_root, pack_frontier, unpack_frontier

ENTRY_VERSION = 1
_ENTRIES = cast(Table, LogEntry.__table__)


class Appended(NamedTuple):
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


_SIMPLE = frozenset((str, int, bool, type(None)))
_STR = frozenset((str,))
_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode
# The C encoder, built once (JSONEncoder.encode rebuilds it per call): same output as `_dumps` for flat
# dicts of str/int/bool/None, which is the only input it is given.
_c_encoder = getattr(json.encoder, "c_make_encoder", None)
_flat = (
    _c_encoder(None, None, json.encoder.encode_basestring, None, ":", ",", True, False, False)
    if _c_encoder is not None
    else None
)


def entry_body(kind: str, fields: dict[str, Any]) -> bytes:
    """The canonical bytes of an entry: type, version and the attested fields."""
    doc = {"type": kind, "v": ENTRY_VERSION, **fields}
    # Flat string/int/bool/None fields (the common case) need no normalisation; anything else goes
    # through canonical_json, which refuses floats and naive datetimes.
    if set(map(type, fields.values())) <= _SIMPLE and set(map(type, fields)) <= _STR:
        return ("".join(_flat(doc, 0)) if _flat is not None else _dumps(doc)).encode("utf-8")
    return canonical_json(doc)


def _stored_now(conn: Connection) -> Any:
    """`utcnow()` as the driver expects it, processed once per batch instead of once per row."""
    dialect = conn.dialect
    column_type = _ENTRIES.c.created_at.type
    value = column_type.process_bind_param(utcnow(), dialect)  # type: ignore[attr-defined]
    processor = column_type.impl.dialect_impl(dialect).bind_processor(dialect)  # type: ignore[attr-defined]
    return processor(value) if processor else value


def append_many(session: Session, entries: list[tuple[str, dict[str, Any]]]) -> list[Appended]:
    """Append several entries in order within the current transaction (group commit)."""
    if not entries:
        return []
    state = _locked_state(session)
    frontier = unpack_frontier(state.frontier)
    size = state.size
    conn = session.connection()
    now = _stored_now(conn)
    rows: list[tuple[Any, ...]] = []
    nodes: list[tuple[int, int, bytes]] = []
    out: list[Appended] = []
    sha256 = hashlib.sha256
    for kind, fields in entries:
        body = entry_body(kind, fields)
        leaf = sha256(b"\x00" + body).digest()
        node, index, level = leaf, size, 0
        while index & 1:  # frontier_append, inlined: this loop is the hot path of group commit
            node = sha256(b"\x01" + frontier.pop() + node).digest()
            index >>= 1
            level += 1
            nodes.append((level, index, node))
        frontier.append(node)
        rows.append((size, kind, body, leaf, now))
        out.append(Appended(size, leaf))
        size += 1
    # Driver-level executemany on the session's connection: same transaction, no per-row processing.
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    columns = "seq, kind, body, leaf_hash, created_at"
    conn.exec_driver_sql(
        f"INSERT INTO log_entries ({columns}) VALUES ({', '.join([mark] * 5)})",
        rows,  # type: ignore[arg-type]
    )
    if nodes:
        conn.exec_driver_sql(f"INSERT INTO log_nodes (level, idx, hash) VALUES ({mark}, {mark}, {mark})", nodes)  # type: ignore[arg-type]
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
