"""RFC 9162 §2.1 Merkle tree hashing: leaf = SHA-256(0x00‖entry), node = SHA-256(0x01‖left‖right).

A *frontier* is the list of roots of the perfect subtrees on the tree's right edge, largest first;
it is all an appender needs to extend the tree and compute the root.
"""

from __future__ import annotations

import hashlib

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    """MTH of a single entry (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Interior node hash (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


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
