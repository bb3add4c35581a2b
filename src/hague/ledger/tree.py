"""Proofs from the stored tree: leaf hashes (`log_entries`), checked against the stored subtrees (`log_nodes`).

`StoredTree` holds the tree in memory, one list of hashes per level: the leaves are loaded, the levels
above are rebuilt from them and compared with the stored ones (every fourth level), extended
incrementally as the log grows (rows are append-only, so what was loaded never changes). Any range
a proof needs is a stored perfect subtree or a right-edge partial one folded from a few of them
(RFC 9162 §2.1.3-2.1.4 via `rfc9162.inclusion_ranges/consistency_ranges`): no full recomputation.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from hague.errors import IntegrityError, NotFound
from hague.ledger.log import NODE_LEVELS, write_queued
from hague.ledger.rfc9162 import EMPTY_ROOT, consistency_ranges, inclusion_ranges, node_hash


class StoredTree:
    """In-memory copy of the stored tree hashes up to `size`; safe to share between threads."""

    def __init__(self) -> None:
        self.size = 0
        self.levels: list[list[bytes]] = []
        self._partial: dict[tuple[int, int], bytes] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_leaves(cls, leaves: list[bytes]) -> StoredTree:
        """A tree held only in memory (tests, benchmarks, bundle tools): perfect subtrees built bottom-up."""
        tree = cls()
        level = list(leaves)
        tree.levels.append(level)
        while len(level) >= 2:
            level = _parents(level, 0, len(level) >> 1)
            tree.levels.append(level)
        tree.size = len(leaves)
        return tree

    def refresh(self, session: Session, *, check: bool = True) -> int:
        """Load the leaves appended since the last refresh and rebuild the levels above them, checking
        them against the stored nodes (`log_nodes`) unless `check` is false; returns the committed size."""
        conn = session.connection()
        state = conn.exec_driver_sql("SELECT size FROM log_state WHERE id = 1").first()
        target = 0 if state is None else int(state[0])
        with self._lock:
            if target <= self.size:
                return self.size
            grown = [self._load_leaves(conn, self.size, target)]
            level = 1
            while target >> level:  # nothing is kept until every level checks out
                start = len(self._level(level))
                # the new nodes pair up at most one old node (a left sibling) with the new ones below
                below = self._level(level - 1)[2 * start :] + grown[-1]
                grown.append(_parents(below, 0, (target >> level) - start))
                if check and level % NODE_LEVELS == 0:
                    _check_nodes(conn, level, start, grown[-1])
                level += 1
            for level, part in enumerate(grown):
                if len(self.levels) <= level:
                    self.levels.append([])
                self.levels[level].extend(part)
            self.size = target
            return target

    def _level(self, level: int) -> list[bytes]:
        return self.levels[level] if level < len(self.levels) else []

    @staticmethod
    def _load_leaves(conn: Connection, have: int, target: int) -> list[bytes]:
        rows = driver_rows(
            conn, "SELECT seq, leaf_hash FROM log_entries WHERE seq >= ? AND seq < ? ORDER BY seq", (have, target)
        )
        leaves: list[bytes] = []
        for seq, leaf in rows:
            if seq != have + len(leaves) or len(leaf) != 32:
                raise IntegrityError(f"log entry {have + len(leaves)} is missing or malformed", seq=seq)
            leaves.append(bytes(leaf))
        if len(leaves) != target - have:
            raise IntegrityError(f"log entry {have + len(leaves)} is missing", seq=have + len(leaves))
        return leaves

    def perfect(self, level: int, index: int) -> bytes:
        """Hash of the perfect subtree at (level, index)."""
        return self.levels[level][index]

    def range_hash(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for a range a proof plan produced (perfect, or right-edge partial)."""
        count = end - start
        if count & (count - 1) == 0:
            level = count.bit_length() - 1
            return self.levels[level][start >> level]
        key = (start, end)
        cached = self._partial.get(key)
        if cached is not None:
            return cached
        parts: list[bytes] = []
        pos = start
        while pos < end:
            level = (end - pos).bit_length() - 1
            parts.append(self.levels[level][pos >> level])
            pos += 1 << level
        root = parts[-1]
        for part in reversed(parts[:-1]):
            root = node_hash(part, root)
        if len(self._partial) > 65536:
            self._partial.clear()
        self._partial[key] = root
        return root

    def _check_size(self, size: int) -> None:
        if size > self.size:
            raise NotFound(f"the log has {self.size} entries, not {size}")

    def root(self, size: int) -> bytes:
        """MTH of the first `size` entries."""
        self._check_size(size)
        return EMPTY_ROOT if size == 0 else self.range_hash(0, size)

    def leaf(self, index: int) -> bytes:
        """Stored leaf hash of entry `index`."""
        self._check_size(index + 1)
        return self.perfect(0, index)

    def _node_path(self, level: int, index: int, size: int) -> list[bytes]:
        """Inclusion path of the node (level, index) in the tree of `size`: inner siblings, then the border.

        Same hashes as RFC 9162 PATH (§2.1.3.1); at most one sibling is a right-edge partial subtree.
        """
        levels = self.levels
        out: list[bytes] = []
        inner = (index ^ ((size - 1) >> level)).bit_length()
        for i in range(inner):
            sibling = (index >> i) ^ 1
            lev = level + i
            if (sibling + 1) << lev <= size:
                out.append(levels[lev][sibling])
            else:
                out.append(self.range_hash(sibling << lev, size))
        index >>= inner
        lev = level + inner
        while index:
            if index & 1:
                out.append(levels[lev][index ^ 1])
            index >>= 1
            lev += 1
        return out

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """PATH(index, D[size]) (RFC 9162 §2.1.3.1)."""
        self._check_size(size)
        if not 0 <= index < size:
            raise NotFound(f"entry {index} is not in a tree of size {size}")
        return self._node_path(0, index, size)

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        """PROOF(old, D[new]) (RFC 9162 §2.1.4.1): the last perfect subtree of the old tree, then its path."""
        self._check_size(new)
        if not 0 <= old <= new:
            raise NotFound(f"no consistency proof from size {old} to size {new}")
        if old in (0, new):
            return []
        level = (old & -old).bit_length() - 1
        index = (old - 1) >> level
        path = self._node_path(level, index, new)
        if index == 0:  # old is a power of two: its root is implied, not sent
            return path
        return [self.perfect(level, index), *path]

    def proof_ranges_check(self, index: int, size: int) -> list[bytes]:
        """Inclusion proof computed from the RFC's recursive range plan (slower; used to cross-check)."""
        return [self.range_hash(a, b) for a, b in inclusion_ranges(index, size)]

    def consistency_ranges_check(self, old: int, new: int) -> list[bytes]:
        """Consistency proof computed from the RFC's recursive range plan (slower; used to cross-check)."""
        return [self.range_hash(a, b) for a, b in consistency_ranges(old, new)]


def driver_rows(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """All rows of `sql` (with `?` placeholders) as the driver's plain tuples, in this connection's
    transaction: no Row objects, which cost more than hashing when a million leaves are read."""
    if conn.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    write_queued(conn)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _parents(below: list[bytes], start: int, end: int) -> list[bytes]:
    """The node hashes [start, end) of the level above `below` (pairs of `below` from 2*start on)."""
    pairs = iter(below[2 * start : 2 * end])
    sha256 = hashlib.sha256
    return [sha256(b"\x01" + left + right).digest() for left, right in zip(pairs, pairs, strict=False)]


def _check_nodes(conn: Connection, level: int, start: int, computed: list[bytes]) -> None:
    """Every stored node of `level` in [start, start + len(computed)) is there and equals the rebuilt one."""
    rows = conn.execute(
        text("SELECT idx, hash FROM log_nodes WHERE level = :l AND idx >= :a AND idx < :b ORDER BY idx"),
        {"l": level, "a": start, "b": start + len(computed)},
    )
    index = start
    for idx, digest in rows:
        if idx != index or bytes(digest) != computed[index - start]:
            break
        index += 1
    if index != start + len(computed):
        raise IntegrityError(
            f"stored node level {level} index {index} is missing or does not match the entries",
            level=level,
            index=index,
        )


_TREES: weakref.WeakKeyDictionary[Engine, StoredTree] = weakref.WeakKeyDictionary()
_TREES_LOCK = threading.Lock()


def stored_tree(session: Session, size: int | None = None) -> StoredTree:
    """The cached tree of this session's database, refreshed if it is smaller than `size` (or the log)."""
    bind: Any = session.get_bind()
    engine: Engine = bind.engine if hasattr(bind, "engine") else bind
    with _TREES_LOCK:
        tree = _TREES.get(engine)
        if tree is None:
            tree = _TREES[engine] = StoredTree()
    if size is None or size > tree.size:
        tree.refresh(session)
    return tree


def inclusion_proof(session: Session, index: int, size: int) -> list[bytes]:
    """Inclusion proof of entry `index` in the tree of `size`, from the stored hashes."""
    return stored_tree(session, size).inclusion_proof(index, size)


def consistency_proof(session: Session, old: int, new: int) -> list[bytes]:
    """Consistency proof between two sizes, from the stored hashes."""
    return stored_tree(session, new).consistency_proof(old, new)


def root_at(session: Session, size: int) -> bytes:
    """The root of the tree of `size`, from the stored hashes."""
    return stored_tree(session, size).root(size)
