"""Near-duplicates across a case: "has this, or something close, already been collected?".

Each case's perceptual hashes are held in a `HammingIndex` loaded once from `media_hashes` and
topped up with newer rows on each use. Queries try all eight orientations of the probe.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hague.core import Hague
from hague.evidence.models import File, Item
from hague.evidence.register import get_case, get_item
from hague.media.index import HammingIndex
from hague.media.models import MediaExtraction, MediaHash
from hague.media.phash import to_unsigned

RADIUS = 8  # bits of 64: precision 0.99, recall 0.99 on the generated set (tests/media/test_precision_recall.py)


@dataclass
class Match:
    """An item holding content within `distance` bits of the probe (0 = same perceptual hash)."""

    ern: str
    distance: int
    frame: int = 0

    def to_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {"ern": self.ern, "distance": self.distance, "frame": self.frame}


@dataclass
class CaseIndex:
    """The perceptual hashes of one case, with the item and frame each position belongs to."""

    index: HammingIndex = field(default_factory=HammingIndex)
    last_id: int = 0
    items: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    frame_of: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


_CACHE: weakref.WeakKeyDictionary[Engine, dict[int, CaseIndex]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def case_index(hague: Hague, session: Session, case_id: int) -> CaseIndex:
    """The case's index, brought up to date with hashes stored since it was last used."""
    with _LOCK:
        entry = _CACHE.setdefault(hague.engine, {}).setdefault(case_id, CaseIndex())
        if _late_commits(session, case_id, entry):
            # ids are not committed in order under concurrent writers: rebuild when rows were skipped
            entry = _CACHE[hague.engine][case_id] = CaseIndex()
        rows = session.execute(
            select(MediaHash.id, MediaHash.value, MediaHash.item_id, MediaHash.frame)
            .where(MediaHash.case_id == case_id, MediaHash.id > entry.last_id)
            .order_by(MediaHash.id)
        ).all()
        if rows:
            data = np.array([(r[1], r[2], r[3]) for r in rows], dtype=np.int64).reshape(-1, 3)
            entry.index.add(data[:, 0].view(np.uint64))
            entry.items = np.concatenate([entry.items, data[:, 1]])
            entry.frame_of = np.concatenate([entry.frame_of, data[:, 2]])
            entry.last_id = int(rows[-1][0])
        return entry


def _late_commits(session: Session, case_id: int, entry: CaseIndex) -> bool:
    """True if rows with ids below what the index has seen appeared since (a concurrent writer's commit)."""
    if not entry.last_id:
        return False
    below = session.scalar(select(func.count()).where(MediaHash.case_id == case_id, MediaHash.id <= entry.last_id))
    return int(below or 0) != len(entry.items)


def forget(hague: Hague) -> None:
    """Drop cached indexes of this instance (after a restore, or in tests)."""
    with _LOCK:
        _CACHE.pop(hague.engine, None)


def nearest(
    entry: CaseIndex, frames: list[list[int]], radius: int, exclude_item: int | None = None
) -> dict[int, tuple[int, int]]:
    """item id → (smallest distance, its frame) for every item near any orientation of any frame."""
    best: dict[int, tuple[int, int]] = {}
    for frame in frames:
        for probe in frame:
            hits, distances = entry.index.search(to_unsigned(int(probe)), radius)
            for pos, dist in zip(hits.tolist(), distances.tolist(), strict=True):
                item = int(entry.items[pos])
                if item != exclude_item and (item not in best or dist < best[item][0]):
                    best[item] = (int(dist), int(entry.frame_of[pos]))
    return best


def _to_matches(session: Session, best: dict[int, tuple[int, int]]) -> list[Match]:
    if not best:
        return []
    erns = dict(session.execute(select(Item.id, Item.ern).where(Item.id.in_(list(best)))).tuples().all())
    return sorted((Match(erns[i], d, f) for i, (d, f) in best.items()), key=lambda m: (m.distance, m.ern))


def similar_to_hashes(
    hague: Hague, case_code: str, frames: list[list[int]], radius: int = RADIUS, exclude_item: int | None = None
) -> list[Match]:
    """Items of the case near these pHash frames (each frame: its orientations, upright first)."""
    with hague.reader() as session:
        case = get_case(session, case_code)
        return _to_matches(session, nearest(case_index(hague, session, case.id), frames, radius, exclude_item))


def latest_phash(session: Session, item_id: int) -> list[list[int]]:
    """The pHash frames (all orientations) of an item's newest extraction of its original files."""
    rows = session.scalars(
        select(MediaExtraction.phash)
        .join(File, File.id == MediaExtraction.file_id)
        .where(MediaExtraction.item_id == item_id, File.derived_from_id.is_(None))
        .order_by(MediaExtraction.id.desc())
    )
    for frames in rows:
        if frames:
            return [[int(h, 16) for h in frame] for frame in frames]
    return []


def similar_items(hague: Hague, ern: str, radius: int = RADIUS) -> list[Match]:
    """Other items of the same case near this item's content (any orientation, any keyframe)."""
    with hague.reader() as session:
        item = get_item(session, ern)
        frames = latest_phash(session, item.id)
        case = session.get_one(Item, item.id).case_id
        return _to_matches(session, nearest(case_index(hague, session, case), frames, radius, exclude_item=item.id))


@dataclass
class Cluster:
    """Items holding the same content: `exact` (same SHA-256) or `near` (perceptual hashes within radius)."""

    kind: str
    key: str
    members: list[Match]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {"kind": self.kind, "key": self.key, "members": [m.to_dict() for m in self.members]}


def exact_groups(session: Session, case_id: int) -> list[Cluster]:
    """Original files stored under more than one item of the case, and web-capture responses equal to an item."""
    rows = session.execute(
        select(File.sha256, Item.ern)
        .join(Item, Item.id == File.item_id)
        .where(Item.case_id == case_id, File.derived_from_id.is_(None))
        .order_by(Item.ern)
    ).all()
    by_sha: dict[str, list[str]] = {}
    for sha, ern in rows:
        by_sha.setdefault(sha, []).append(ern)
    captures = session.execute(
        select(Item.ern, MediaExtraction.suggestions)
        .join(Item, Item.id == MediaExtraction.item_id)
        .where(MediaExtraction.case_id == case_id)
    ).all()
    for ern, suggestions in captures:
        for record in ((suggestions or {}).get("web_capture") or {}).get("records") or []:
            sha = str(record.get("sha256")) if isinstance(record, dict) else ""
            if sha in by_sha and ern not in by_sha[sha]:
                by_sha[sha].append(ern)
    return [
        Cluster("exact", sha, [Match(e, 0) for e in sorted(set(erns))])
        for sha, erns in sorted(by_sha.items())
        if len(set(erns)) > 1
    ]


def clusters(hague: Hague, case_code: str, radius: int = RADIUS) -> list[Cluster]:
    """Connected groups of near-duplicate items (any orientation or keyframe), then exact-hash groups."""
    with hague.reader() as session:
        case = get_case(session, case_code)
        entry = case_index(hague, session, case.id)
        item_ids = sorted({int(i) for i in entry.items.tolist()})
        parent = {i: i for i in item_ids}
        closest: dict[int, int] = {}

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for item_id in item_ids:
            for other, (dist, _frame) in nearest(entry, latest_phash(session, item_id), radius, item_id).items():
                parent[root(other)] = root(item_id)
                closest[item_id] = min(closest.get(item_id, 64), dist)
                closest[other] = min(closest.get(other, 64), dist)
        groups: dict[int, list[int]] = {}
        for item_id in closest:
            groups.setdefault(root(item_id), []).append(item_id)
        erns = dict(session.execute(select(Item.id, Item.ern).where(Item.id.in_(list(closest)))).tuples().all())
        near = [
            Cluster(
                "near",
                min(erns[i] for i in members),
                sorted((Match(erns[i], closest[i]) for i in members), key=lambda m: m.ern),
            )
            for members in groups.values()
        ]
        return sorted(near, key=lambda c: c.key) + exact_groups(session, case.id)
