"""Hamming-distance search over 64-bit perceptual hashes: multi-index hashing over packed uint64.

Multi-index hashing (Norouzi, Punjani & Fleet, CVPR 2012): split each hash into four 16-bit words;
if two hashes differ in at most r bits, some word differs in at most ⌊r/4⌋ bits (pigeonhole). Each
word has a bucket table (counting sort), so a query probes Σ_{i≤⌊r/4⌋} C(16,i) buckets per word and
checks only those candidates with a vectorised popcount.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from numpy.typing import NDArray

WORDS = 4
WORD_BITS = 16
MERGE_AT = 4096
_POP8 = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def popcount(values: NDArray[np.uint64]) -> NDArray[np.uint8]:
    """Bits set in each uint64 (numpy's bitwise_count where available)."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(values)  # type: ignore[no-any-return]
    return _POP8[values.view(np.uint8).reshape(-1, 8)].sum(axis=1, dtype=np.uint8)  # type: ignore[no-any-return]


def brute_force(hashes: NDArray[np.uint64], query: int, radius: int) -> tuple[NDArray[np.int64], NDArray[np.uint8]]:
    """Every position within `radius` bits of `query`, by scanning all hashes (the baseline)."""
    distances = popcount(hashes ^ np.uint64(query))
    hits = np.flatnonzero(distances <= radius)
    return hits, distances[hits]


def _flips(radius: int) -> NDArray[np.uint16]:
    masks = [0]
    for r in range(1, radius + 1):
        for bits in combinations(range(WORD_BITS), r):
            masks.append(sum(1 << b for b in bits))
    return np.array(masks, dtype=np.uint16)


class HammingIndex:
    """Positions and distances of stored hashes near a query; append-only, rebuilt in bulk."""

    def __init__(self, hashes: NDArray[np.uint64] | None = None) -> None:
        self._hashes = np.zeros(0, dtype=np.uint64)
        self._pending = np.zeros(0, dtype=np.uint64)
        self._order: list[NDArray[np.int64]] = []
        self._offsets: list[NDArray[np.int64]] = []
        self._flips: dict[int, NDArray[np.int64]] = {}
        if hashes is not None and len(hashes):
            self._hashes = np.ascontiguousarray(hashes, dtype=np.uint64)
        self._build()

    def __len__(self) -> int:
        return len(self._hashes) + len(self._pending)

    def _build(self) -> None:
        self._order, self._offsets = [], []
        if not len(self._hashes):
            return  # small indexes live in `_pending` and are scanned directly
        for w in range(WORDS):
            words = ((self._hashes >> np.uint64(WORD_BITS * w)) & np.uint64(0xFFFF)).astype(np.int64)
            self._order.append(np.argsort(words, kind="stable"))
            offsets = np.zeros((1 << WORD_BITS) + 1, dtype=np.int64)
            np.cumsum(np.bincount(words, minlength=1 << WORD_BITS), out=offsets[1:])
            self._offsets.append(offsets)

    def add(self, hashes: NDArray[np.uint64]) -> None:
        """Append hashes (positions continue after the existing ones)."""
        self._pending = np.concatenate([self._pending, np.asarray(hashes, dtype=np.uint64)])
        if len(self._pending) >= MERGE_AT:
            self._hashes = np.concatenate([self._hashes, self._pending])
            self._pending = np.zeros(0, dtype=np.uint64)
            self._build()

    def search(self, query: int, radius: int) -> tuple[NDArray[np.int64], NDArray[np.uint8]]:
        """Positions within `radius` bits of `query` and their distances, nearest first."""
        q = np.uint64(query)
        sub = radius // WORDS
        if sub not in self._flips:
            self._flips[sub] = _flips(sub).astype(np.int64)
        flips = self._flips[sub]
        parts = []
        for w in range(len(self._offsets)):
            keys = ((int(query) >> (WORD_BITS * w)) & 0xFFFF) ^ flips
            parts.append(self._order[w][_ranges(self._offsets[w][keys], self._offsets[w][keys + 1])])
        candidates = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        distances = popcount(self._hashes[candidates] ^ q)
        keep = distances <= radius
        # a hash found through several words appears several times: keep one of each
        hits, first = np.unique(candidates[keep], return_index=True)
        dist = distances[keep][first]
        if len(self._pending):
            extra, extra_d = brute_force(self._pending, query, radius)
            hits = np.concatenate([hits, extra + len(self._hashes)])
            dist = np.concatenate([dist, extra_d])
        order = np.argsort(dist, kind="stable")
        return hits[order], dist[order]


def _ranges(starts: NDArray[np.int64], ends: NDArray[np.int64]) -> NDArray[np.int64]:
    """Concatenation of arange(s, e) for each pair, without a Python loop."""
    lengths = ends - starts
    keep = lengths > 0
    starts, lengths = starts[keep], lengths[keep]
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    steps = np.ones(total, dtype=np.int64)
    steps[0] = starts[0]
    boundaries = np.cumsum(lengths)[:-1]
    steps[boundaries] = starts[1:] - (starts[:-1] + lengths[:-1] - 1)
    return np.cumsum(steps)
