"""Matching CLKs with the Sørensen–Dice coefficient after blocking, vectorised with numpy bit counts.

Candidate pairs are the records sharing a keyed blocking token (a join on sorted token arrays);
each candidate is scored with Dice over the CLK words; pairs at or above the threshold are matches.
An optional greedy one-to-one solution keeps each record in its best pair only (as anonlink's solver).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

DEFAULT_THRESHOLD = 0.85
CHUNK = 1 << 20

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass
class EncodedSet:
    """CLKs as a (n, words) uint64 matrix with their bit counts, plus (token, row) blocking pairs."""

    clks: U64
    counts: I64
    tokens: U64
    rows: I64

    @classmethod
    def build(cls, clks: Sequence[bytes], blocks: Sequence[Sequence[int]]) -> EncodedSet:
        """From CLK bytes and each record's blocking tokens."""
        if len(clks) != len(blocks):
            raise ValueError("one list of blocking tokens per CLK")
        width = len(clks[0]) if clks else 8
        if any(len(c) != width for c in clks):
            raise ValueError("CLKs of different lengths")
        matrix = np.frombuffer(b"".join(clks), dtype=">u8").astype(np.uint64).reshape(len(clks), width // 8)
        lengths = np.fromiter((len(b) for b in blocks), dtype=np.int64, count=len(blocks))
        tokens = np.fromiter((t for b in blocks for t in b), dtype=np.uint64, count=int(lengths.sum()))
        rows = np.repeat(np.arange(len(clks), dtype=np.int64), lengths)
        order = np.argsort(tokens, kind="stable")
        counts = np.bitwise_count(matrix).sum(axis=1, dtype=np.int64)
        return cls(matrix, counts, tokens[order], rows[order])

    def __len__(self) -> int:
        return int(self.clks.shape[0])


@dataclass
class Matches:
    """Matched pairs (row in A, row in B) with their Dice scores, best first."""

    a: I64
    b: I64
    score: F64

    def pairs(self) -> list[tuple[int, int, float]]:
        """As Python tuples."""
        return [(int(x), int(y), float(s)) for x, y, s in zip(self.a, self.b, self.score, strict=True)]


def candidate_pairs(a: EncodedSet, b: EncodedSet, self_join: bool = False) -> tuple[I64, I64]:
    """Distinct (row in A, row in B) pairs sharing at least one blocking token."""
    ua, start_a, count_a = np.unique(a.tokens, return_index=True, return_counts=True)
    ub, start_b, count_b = np.unique(b.tokens, return_index=True, return_counts=True)
    _common, ia, ib = np.intersect1d(ua, ub, assume_unique=True, return_indices=True)
    na, nb = count_a[ia].astype(np.int64), count_b[ib].astype(np.int64)
    sizes = na * nb
    total = int(sizes.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    group = np.repeat(np.arange(len(sizes)), sizes)
    offset = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    pa = a.rows[start_a[ia][group] + offset // nb[group]]
    pb = b.rows[start_b[ib][group] + offset % nb[group]]
    if self_join:
        keep = pa < pb
        pa, pb = pa[keep], pb[keep]
    key = np.unique(pa * np.int64(len(b)) + pb)
    return key // len(b), key % len(b)


def dice_scores(a: EncodedSet, b: EncodedSet, pa: I64, pb: I64) -> F64:
    """Dice coefficient of each pair, in chunks to bound memory."""
    out = np.empty(len(pa), dtype=np.float64)
    for lo in range(0, len(pa), CHUNK):
        hi = lo + CHUNK
        x, y = pa[lo:hi], pb[lo:hi]
        common = np.bitwise_count(a.clks[x] & b.clks[y]).sum(axis=1, dtype=np.int64)
        total = a.counts[x] + b.counts[y]
        out[lo:hi] = np.divide(2 * common, total, out=np.zeros(len(x)), where=total > 0)
    return out


def greedy_one_to_one(pa: I64, pb: I64, score: F64) -> npt.NDArray[np.bool_]:
    """Mask keeping, best score first, pairs whose two records are not already matched."""
    keep = np.zeros(len(pa), dtype=bool)
    used_a: set[int] = set()
    used_b: set[int] = set()
    for i in np.argsort(-score, kind="stable"):
        x, y = int(pa[i]), int(pb[i])
        if x not in used_a and y not in used_b:
            keep[i] = True
            used_a.add(x)
            used_b.add(y)
    return keep


def match(
    a: EncodedSet,
    b: EncodedSet,
    threshold: float = DEFAULT_THRESHOLD,
    *,
    self_join: bool = False,
    one_to_one: bool = False,
) -> Matches:
    """Pairs of A × B (or pairs within A when `self_join`) with Dice ≥ `threshold`, best first."""
    pa, pb = candidate_pairs(a, b, self_join=self_join)
    scores = dice_scores(a, b, pa, pb)
    keep = scores >= threshold
    pa, pb, scores = pa[keep], pb[keep], scores[keep]
    if one_to_one:
        keep = greedy_one_to_one(pa, pb, scores)
        pa, pb, scores = pa[keep], pb[keep], scores[keep]
    order = np.argsort(-scores, kind="stable")
    return Matches(pa[order], pb[order], scores[order])
