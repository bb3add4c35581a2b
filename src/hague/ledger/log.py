"""Appending to the log inside the caller's transaction, so a record and its entry commit together.

Contract: callers MUST append in the same session/transaction as the record the entry attests.
The first append of a transaction locks the state row (`FOR UPDATE` on PostgreSQL; SQLite's
`BEGIN IMMEDIATE` already holds the write lock), so indices are dense and never reused, and keeps the
size and frontier in memory. Each append numbers and hashes its entry at once; the rows are written in
one batch (group commit) just before the transaction commits, before a savepoint begins, or before
any other statement of the transaction touches a `log_` table, so every reader in the transaction sees
them; a rollback (of the transaction, or of a savepoint opened with `Session.begin_nested`) drops them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, Engine, RootTransaction, Table, event, select
from sqlalchemy.orm import Session, SessionTransaction

from hague.db.base import utcnow
from hague.ledger.canonical import canonical_json
from hague.ledger.models import LogEntry, LogRef
from hague.ledger.rfc9162 import frontier_root, pack_frontier, unpack_frontier

ENTRY_VERSION = 1
NODE_LEVELS = 4
"""`log_nodes` keeps the perfect subtrees of levels 4, 8, 12...: one row per 16 entries in all (C2SP
tlog-tiles' tile boundaries at height 4); the levels between are recomputed from the leaves."""

_NODE_MASK = NODE_LEVELS - 1
_ENTRIES = cast(Table, LogEntry.__table__)
_KEY = "hague.ledger.pending"
_UNSEEN: Any = object()


class Appended(NamedTuple):
    """Where an entry landed: its index and leaf hash."""

    seq: int
    leaf_hash: bytes


_new_appended = tuple.__new__  # Appended(seq, leaf) without the generated __new__'s Python frame


def _true(value: bool) -> str:
    return "true" if value else "false"


def _null(_value: None) -> str:
    return "null"


# JSON text of the flat values an entry usually carries (what json's C encoder writes for them).
_VALUE: dict[type, Callable[[Any], str]] = {str: encode_basestring, int: int.__repr__, bool: _true, type(None): _null}
Shape = tuple[str, tuple[str, ...]]
_SHAPES: dict[tuple[Any, ...], Shape | None] = {}


def _shape(key: tuple[Any, ...]) -> Shape | None:
    """For an entry type and its field names: the body as a %-template with the keys in canonical
    (sorted) order, and the field names in template order; None if the names need canonical_json."""
    kind, names = key[0], key[1:]
    if not all(type(name) is str for name in names) or "type" in names or "v" in names:
        return None
    parts, order = [], []
    for name in sorted((*names, "type", "v")):
        if name == "type":
            value = encode_basestring(kind).replace("%", "%%")
        elif name == "v":
            value = str(ENTRY_VERSION)
        else:
            value = "%s"
            order.append(name)
        parts.append(encode_basestring(name).replace("%", "%%") + ":" + value)
    return "{" + ",".join(parts) + "}", tuple(order)


def entry_body(kind: str, fields: dict[str, Any]) -> bytes:
    """The canonical bytes of an entry: type, version and the attested fields."""
    # Flat str/int/bool/None fields (the common case) fill a template cached per entry type and field
    # names; anything else goes through canonical_json, which refuses floats and naive datetimes.
    key = (kind, *fields)
    shape = _SHAPES.get(key, _UNSEEN)
    if shape is _UNSEEN:
        if len(_SHAPES) > 4096:
            _SHAPES.clear()
        shape = _SHAPES[key] = _shape(key)
    if shape is not None:
        template, order = shape  # type: ignore[misc]
        value = _VALUE
        try:
            text: str = template % tuple([value[type(fields[name])](fields[name]) for name in order])
            return text.encode()
        except KeyError:  # a value of another type
            pass
    return canonical_json({"type": kind, "v": ENTRY_VERSION, **fields})


def _stored_now(conn: Connection) -> Any:
    """`utcnow()` as the driver expects it, processed once per transaction instead of once per row."""
    dialect = conn.dialect
    column_type = _ENTRIES.c.created_at.type
    value = column_type.process_bind_param(utcnow(), dialect)  # type: ignore[attr-defined]
    processor = column_type.impl.dialect_impl(dialect).bind_processor(dialect)  # type: ignore[attr-defined]
    return processor(value) if processor else value


class _Pending:
    """The log inside one transaction: the locked size and frontier, and the rows not written yet."""

    __slots__ = ("conn", "frontier", "live", "mark", "nodes", "now", "refs", "rows", "size", "stored", "tx")

    def __init__(self, conn: Connection, tx: RootTransaction) -> None:
        self.conn, self.tx, self.live = conn, tx, True
        postgres = conn.dialect.name == "postgresql"
        row = conn.exec_driver_sql(
            "SELECT size, frontier FROM log_state WHERE id = 1" + (" FOR UPDATE" if postgres else "")
        ).first()
        self.stored = row is not None
        self.size = 0 if row is None else int(row[0])
        self.frontier = [] if row is None else unpack_frontier(bytes(row[1]))
        self.rows: list[tuple[Any, ...]] = []
        self.nodes: list[tuple[int, int, bytes]] = []
        self.refs: list[tuple[str, int]] = []
        self.now = _stored_now(conn)
        self.mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"

    def add(self, kind: str, fields: dict[str, Any]) -> Appended:
        """Number and hash one entry, extend the frontier, and queue its rows."""
        body = entry_body(kind, fields)
        sha256 = hashlib.sha256
        node = leaf = sha256(b"\x00" + body).digest()
        seq = index = self.size
        frontier = self.frontier
        level = 0
        while index & 1:  # frontier_append, inlined: this is the hot path of group commit
            node = sha256(b"\x01" + frontier.pop() + node).digest()
            index >>= 1
            level += 1
            if not level & _NODE_MASK:
                self.nodes.append((level, index, node))
        frontier.append(node)
        rows = self.rows
        rows.append((seq, kind, body, leaf, self.now))
        ern = fields.get("ern")
        if type(ern) is str and len(ern) <= 64:
            self.refs.append((ern, seq))
        self.size = seq + 1
        if len(rows) >= _QUEUE_LIMIT:  # a huge transaction: keep memory bounded, write what is queued
            self.write()
        return _new_appended(Appended, (seq, leaf))

    def write(self) -> None:
        """Write the queued rows and the state row, in this transaction (driver-level executemany)."""
        if not self.rows:
            return
        rows, nodes, refs = self.rows, self.nodes, self.refs
        self.rows, self.nodes, self.refs = [], [], []
        m = self.mark
        try:
            cursor = self.conn.connection.cursor()
            try:
                _insert(cursor, "log_entries (seq, kind, body, leaf_hash, created_at)", m, rows)
                _insert(cursor, "log_nodes (level, idx, hash)", m, nodes)
                _insert(cursor, "log_refs (ern, seq)", m, refs)
                state = (self.size, pack_frontier(self.frontier))
                if self.stored:
                    cursor.execute(f"UPDATE log_state SET size = {m}, frontier = {m} WHERE id = 1", state)
                else:
                    cursor.execute(f"INSERT INTO log_state (id, size, frontier) VALUES (1, {m}, {m})", state)
            finally:
                cursor.close()
        except BaseException:
            self.live = False  # the transaction is broken: the next append starts over from the database
            raise
        self.stored = True


_ROWS_PER_INSERT = 200
_QUEUE_LIMIT = 50_000


def _insert(cursor: Any, into: str, mark: str, rows: list[tuple[Any, ...]]) -> None:
    """INSERT `rows` with multi-row VALUES, 200 rows per statement (a quarter less work per row than
    one row per statement on SQLite, far fewer statements on PostgreSQL)."""
    if not rows:
        return
    one = "(" + ", ".join([mark] * len(rows[0])) + ")"
    per = _ROWS_PER_INSERT
    full = len(rows) - len(rows) % per
    if full:
        flat = chain.from_iterable
        cursor.executemany(
            f"INSERT INTO {into} VALUES " + ", ".join([one] * per),
            [tuple(flat(rows[i : i + per])) for i in range(0, full, per)],
        )
    if full < len(rows):
        cursor.executemany(f"INSERT INTO {into} VALUES {one}", rows[full:])


def _live(session: Session) -> _Pending | None:
    """The log state of the session's transaction, if it has appended and is still going."""
    found: _Pending | None = session.info.get(_KEY)
    return found if found is not None and found.live and found.tx.is_active else None


def _pending(session: Session) -> _Pending:
    """This transaction's log state, locking the state row on first use."""
    found = _live(session)
    if found is not None:
        return found
    conn = session.connection()
    tx = conn.get_transaction()
    assert tx is not None
    shared: _Pending | None = conn.info.get(_KEY)  # another session on the same connection
    pending = shared if shared is not None and shared.live and shared.tx is tx else _Pending(conn, tx)
    session.info[_KEY] = conn.info[_KEY] = pending
    return pending


def _of_connection(conn: Connection, *, end: bool = False) -> _Pending | None:
    """The live log state of the connection's transaction; `end` forgets it (the transaction is ending)."""
    try:
        info = conn.info
    except Exception:  # closed or invalidated connection: nothing can be written to it anyway
        return None
    pending: _Pending | None = info.pop(_KEY, None) if end else info.get(_KEY)
    return pending if pending is not None and pending.live and pending.tx is conn.get_transaction() else None


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    pending = _live(session)  # also on releasing a savepoint: its entries stay in the transaction
    if pending is not None:
        pending.write()


@event.listens_for(Session, "after_transaction_create")
def _write_before_savepoint(session: Session, transaction: SessionTransaction) -> None:
    pending = _live(session) if transaction.nested else None
    if pending is not None:
        pending.write()  # before the SAVEPOINT is emitted: what came before it must survive its rollback


@event.listens_for(Session, "after_soft_rollback")
def _discard_on_rollback(session: Session, previous: SessionTransaction) -> None:
    pending = _live(session)
    if pending is not None:
        pending.live = False  # queued entries are dropped; the next append re-reads the state row


@event.listens_for(Engine, "commit")
def _write_at_commit(conn: Connection) -> None:
    pending = _of_connection(conn, end=True)  # a Core transaction (sessions write theirs at before_commit)
    if pending is not None:
        pending.write()
        pending.live = False


@event.listens_for(Engine, "rollback")
def _discard(conn: Connection) -> None:
    pending = _of_connection(conn, end=True)
    if pending is not None:
        pending.live = False


def write_queued(conn: Connection) -> None:
    """Write the entries queued in this connection's transaction now (for reads that bypass SQLAlchemy)."""
    pending = _of_connection(conn)
    if pending is not None:
        pending.write()


@event.listens_for(Engine, "before_cursor_execute")
def _write_before_log_reads(conn: Connection, cursor: Any, statement: str, *_args: Any) -> None:
    if "log_" in statement:
        write_queued(conn)


def append(session: Session, kind: str, fields: dict[str, Any]) -> Appended:
    """Append one entry attesting `fields` (which SHOULD include the attested record's hash)."""
    return _pending(session).add(kind, fields)


def append_many(session: Session, entries: list[tuple[str, dict[str, Any]]]) -> list[Appended]:
    """Append several entries in order within the current transaction."""
    if not entries:
        return []
    add = _pending(session).add
    return [add(kind, fields) for kind, fields in entries]


def _state(session: Session) -> tuple[int, list[bytes]]:
    found = _live(session)
    if found is not None:
        return found.size, found.frontier
    row = session.connection().exec_driver_sql("SELECT size, frontier FROM log_state WHERE id = 1").first()
    return (0, []) if row is None else (int(row[0]), unpack_frontier(bytes(row[1])))


def log_size(session: Session) -> int:
    """Number of entries in the log (including those appended in this session's transaction)."""
    return _state(session)[0]


def root_hash(session: Session) -> bytes:
    """The current RFC 9162 root, from the frontier."""
    return frontier_root(_state(session)[1])


def entries_naming(session: Session, erns: Sequence[str], kinds: Sequence[str]) -> Iterator[LogEntry]:
    """Entries of `kinds` whose `ern` field is one of `erns`, found through the `log_refs` index (in order of
    sequence within each 500 ERNs). The index only narrows what is read: callers decide on the bodies."""
    for start in range(0, len(erns), 500):
        naming = select(LogRef.seq).where(LogRef.ern.in_(erns[start : start + 500]))
        yield from session.scalars(
            select(LogEntry).where(LogEntry.seq.in_(naming), LogEntry.kind.in_(kinds)).order_by(LogEntry.seq)
        )
