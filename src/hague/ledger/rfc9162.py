"""RFC 9162 §2.1 Merkle tree hashing and proofs: leaf = SHA-256(0x00‖entry), node = SHA-256(0x01‖left‖right).

Stdlib only (the offline verifier imports it). A *frontier* is the list of roots of the perfect subtrees
on the tree's right edge, largest first; it is all an appender needs to extend the tree and compute
the root. Proofs are planned as lists of leaf ranges [start, end) (`inclusion_ranges`,
`consistency_ranges`); every such range is a perfect aligned subtree or a right-edge partial one,
so a store of perfect subtree hashes answers any of them (`range_hash`) without recomputing the tree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()
HASH_SIZE = 32
_sha256 = hashlib.sha256


def leaf_hash(entry: bytes) -> bytes:
    """MTH of a single entry (RFC 9162 §2.1.1)."""
    return _sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Interior node hash (RFC 9162 §2.1.1)."""
    return _sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than `n` (n >= 2): where RFC 9162 splits D[n]."""
    return 1 << ((n - 1).bit_length() - 1)


def frontier_append(frontier: list[bytes], size: int, leaf: bytes) -> list[tuple[int, int, bytes]]:
    """Add `leaf` as entry `size`; mutate `frontier`, return the new perfect subtrees (level, index, hash).

    Level 0 is the leaf itself; a node at level L and index i covers leaves [i*2^L, (i+1)*2^L).
    """
    created = [(0, size, leaf)]
    node = leaf
    level = 0
    index = size
    while index & 1:
        node = node_hash(frontier.pop(), node)
        level += 1
        index >>= 1
        created.append((level, index, node))
    frontier.append(node)
    return created


def frontier_root(frontier: list[bytes]) -> bytes:
    """The root of a tree given its right-edge perfect subtrees (largest first)."""
    if not frontier:
        return EMPTY_ROOT
    root = frontier[-1]
    for node in reversed(frontier[:-1]):
        root = node_hash(node, root)
    return root


def pack_frontier(frontier: list[bytes]) -> bytes:
    """Frontier as concatenated 32-byte hashes, for storage in one column."""
    return b"".join(frontier)


def unpack_frontier(blob: bytes) -> list[bytes]:
    """Inverse of `pack_frontier`."""
    return [blob[i : i + 32] for i in range(0, len(blob), 32)]


def perfect_subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """Decompose [start, end) into aligned perfect subtrees (level, index), left to right.

    Valid for every range a proof plan produces: `start` is a multiple of a power of two >= end - start.
    """
    out: list[tuple[int, int]] = []
    while start < end:
        level = (end - start).bit_length() - 1
        out.append((level, start >> level))
        start += 1 << level
    return out


def range_hash(start: int, end: int, perfect: Callable[[int, int], bytes]) -> bytes:
    """MTH(D[start:end]) from perfect subtree hashes `perfect(level, index)` (combined right to left)."""
    parts = perfect_subtrees(start, end)
    root = perfect(*parts[-1])
    for level, index in reversed(parts[:-1]):
        root = node_hash(perfect(level, index), root)
    return root


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose MTHs form PATH(index, D[size]) (RFC 9162 §2.1.3.1), in proof order (leaf first)."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} is outside a tree of size {size}")
    path: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index - start < k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    path.reverse()
    return path


def consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """The ranges whose MTHs form PROOF(old, D[new]) (RFC 9162 §2.1.4.1), in proof order."""
    if not 0 <= old <= new:
        raise ValueError(f"no consistency proof from size {old} to size {new}")
    if old in (0, new):
        return []
    path: list[tuple[int, int]] = []
    start, end, m, complete = 0, new, old, True
    while True:
        n = end - start
        if m == n:
            if not complete:
                path.append((start, end))
            break
        k = split_point(n)
        if m <= k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
            m -= k
            complete = False
    path.reverse()
    return path


def root_from_leaves(leaves: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes, with a frontier (linear time, log memory)."""
    frontier: list[bytes] = []
    for size, leaf in enumerate(leaves):
        frontier_append(frontier, size, leaf)
    return frontier_root(frontier)
