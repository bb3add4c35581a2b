"""Precision and recall of near-duplicate detection on >= 2,000 generated images, 20% transformed copies.

Copies are resized, re-encoded, turned, mirrored, cropped, brightened or tilted (see `synthetic.TRANSFORMS`);
unrelated images are independent random scenes. Both measures MUST be at least 0.95.
"""

from __future__ import annotations

import numpy as np
import pytest

from hague.media.duplicates import RADIUS
from hague.media.imaging import grey_square
from hague.media.index import HammingIndex
from hague.media.phash import phash_orientations
from tests.media.synthetic import TRANSFORMS, scene, transform

TOTAL = 2000
COPIES = TOTAL // 5


def _hashes(image: object) -> list[int]:
    return phash_orientations(grey_square(image))  # type: ignore[arg-type]


@pytest.mark.slow
def test_precision_and_recall_on_a_generated_set() -> None:
    originals = [_hashes(scene(seed, (160, 120))) for seed in range(TOTAL - COPIES)]
    rng = np.random.default_rng(2024)
    sources = rng.choice(TOTAL - COPIES, size=COPIES, replace=False)
    copies = [
        _hashes(transform(scene(int(src), (160, 120)), TRANSFORMS[i % len(TRANSFORMS)], seed=i))
        for i, src in enumerate(sources)
    ]
    owner = np.array([*range(TOTAL - COPIES), *sources.tolist()])
    index = HammingIndex(np.array([h[0] for h in originals + copies], dtype=np.uint64))
    true_pairs: set[frozenset[int]] = set()
    found_true: set[frozenset[int]] = set()
    found_false: set[frozenset[int]] = set()
    for i, src in enumerate(sources):
        true_pairs.add(frozenset((int(src), TOTAL - COPIES + i)))
    for position, orientations in enumerate(originals + copies):
        for probe in orientations:
            hits, _ = index.search(probe, RADIUS)
            for hit in hits.tolist():
                if hit == position:
                    continue
                pair = frozenset((position, hit))
                (found_true if owner[hit] == owner[position] else found_false).add(pair)
    precision = len(found_true) / (len(found_true) + len(found_false))
    recall = len(found_true & true_pairs) / len(true_pairs)
    print(f"\nnear-duplicates at radius {RADIUS}: precision {precision:.4f}, recall {recall:.4f} over {TOTAL} images")
    assert precision >= 0.95
    assert recall >= 0.95
