"""Extraction over a case's stored originals: at intake (hook), on demand, and re-extraction.

Each batch is parsed in isolated processes, checked against the case's near-duplicate index, then
saved in one transaction with its log entries. A failure of this step MUST NOT reach intake: the
intake hook records what went wrong and lets intake continue; `hague media extract` picks up files
that have no extraction yet.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from hague.core import Hague
from hague.evidence.ingest import IngestRow, ingest
from hague.evidence.models import Case, File, Item
from hague.evidence.register import get_case
from hague.media.duplicates import RADIUS, case_index, nearest
from hague.media.extract import Extraction, FileJob, extract_batch
from hague.media.index import HammingIndex
from hague.media.models import MediaExtraction
from hague.media.phash import to_unsigned
from hague.media.records import save_extraction
from hague.media.sandbox import Limits

log = logging.getLogger(__name__)
BATCH = 500


@dataclass
class FileOutcome:
    """One file's extraction: status, failures, and near-duplicates found when it was extracted."""

    ern: str
    sha256: str
    run: int
    status: str
    errors: list[dict[str, str]]
    near_duplicates: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return dict(self.__dict__)


@dataclass
class ExtractReport:
    """What an extraction pass did."""

    files: list[FileOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many files ended with this status."""
        return sum(1 for f in self.files if f.status == status)


@contextmanager
def _local_paths(hague: Hague, digests: list[str]) -> Iterator[dict[str, str]]:
    """A readable local path for each stored blob (the store's own file, or a temporary copy from S3)."""
    path_of = getattr(hague.store, "path_of", None)
    if path_of is not None:
        yield {d: str(path_of(d)) for d in digests}
        return
    with tempfile.TemporaryDirectory(prefix="hague-media-") as tmp:
        paths = {}
        for digest in digests:
            target = os.path.join(tmp, digest)
            with hague.store.open(digest) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 4 * 1024 * 1024)
            paths[digest] = target
        yield paths


class _BatchIndex:
    """Hashes extracted earlier in this batch (not yet in the case index), with their item and case."""

    def __init__(self) -> None:
        self.index = HammingIndex()
        self.owners: list[tuple[int, int]] = []

    def near(self, case_id: int, frames: list[list[int]], radius: int) -> dict[int, int]:
        best: dict[int, int] = {}
        for frame in frames:
            for probe in frame:
                hits, dists = self.index.search(to_unsigned(probe), radius)
                for pos, dist in zip(hits.tolist(), dists.tolist(), strict=True):
                    owner_case, owner = self.owners[pos]
                    if owner_case == case_id:
                        best[owner] = min(best.get(owner, 64), int(dist))
        return best

    def add(self, case_id: int, item_id: int, frames: list[list[int]]) -> None:
        self.index.add(np.array([frame[0] for frame in frames], dtype=np.uint64))
        self.owners.extend([(case_id, item_id)] * len(frames))


Parsed = tuple[list[Any], dict[str, Extraction]]


def _parse_chunk(hague: Hague, file_ids: list[int], trust: str | None, limits: Limits | None) -> Parsed:
    """The files' rows and what the isolated parsers found in them (nothing is written)."""
    with hague.reader() as session:
        rows = session.execute(
            select(File, Item, Case)
            .join(Item, Item.id == File.item_id)
            .join(Case, Case.id == Item.case_id)
            .where(File.id.in_(file_ids))
            .order_by(File.id)
        ).all()
        for _file, _item, case in rows:
            _ = case.code  # load the organisation while the session is open
    with _local_paths(hague, sorted({f.sha256 for f, _, _ in rows})) as paths:
        jobs = [FileJob(str(f.id), paths[f.sha256], f.mime_type, f.original_name) for f, _, _ in rows]
        results = {r.key: r for r in extract_batch(jobs, trust=trust, limits=limits)}
    return list(rows), results


def _save_chunk(hague: Hague, parsed: Parsed, radius: int) -> list[FileOutcome]:
    """Near-duplicates against the case index (and earlier files of the chunk), then one transaction."""
    rows, results = parsed
    outcomes: list[FileOutcome] = []
    batch_index = _BatchIndex()
    with hague.reader() as session:
        near: dict[int, dict[int, int]] = {}
        for file, item, case in rows:
            result = results[str(file.id)]
            if result.phash:
                found = {
                    i: d
                    for i, (d, _f) in nearest(
                        case_index(hague, session, case.id), result.phash, radius, item.id
                    ).items()
                }
                for other, dist in batch_index.near(case.id, result.phash, radius).items():
                    found[other] = min(found.get(other, 64), dist)
                near[file.id] = found
                batch_index.add(case.id, item.id, result.phash)
        all_ids = {i for found in near.values() for i in found}
        erns = (
            dict(session.execute(select(Item.id, Item.ern).where(Item.id.in_(all_ids))).tuples().all())
            if all_ids
            else {}
        )
    with hague.unit() as unit:
        for file, item, case in rows:
            result = results[str(file.id)]
            matches = sorted(
                ({"ern": erns[i], "distance": d} for i, d in near.get(file.id, {}).items()),
                key=lambda m: (m["distance"], m["ern"]),
            )
            if matches:
                result.suggestions["near_duplicates"] = matches
            row = save_extraction(unit, case, item, file, result)
            outcomes.append(FileOutcome(item.ern, file.sha256, row.run, row.status, list(row.errors), matches))
    return outcomes


def extract_file_ids(
    hague: Hague,
    file_ids: Iterable[int],
    *,
    trust_anchors: str | None = None,
    limits: Limits | None = None,
    batch: int = BATCH,
    radius: int = RADIUS,
    progress: Callable[[int], None] | None = None,
) -> ExtractReport:
    """Extract these stored files, `batch` per parser process and per transaction."""
    report = ExtractReport()
    ids = list(file_ids)
    chunks = [ids[start : start + batch] for start in range(0, len(ids), batch)]
    # parsing the next chunk overlaps saving this one; saves stay in order, so each chunk's
    # near-duplicate check sees every earlier chunk in the case index
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hague-parse") as pool:
        upcoming = [pool.submit(_parse_chunk, hague, chunk, trust_anchors, limits) for chunk in chunks[:1]]
        for n, chunk in enumerate(chunks):
            parsed = upcoming.pop(0).result()
            if n + 1 < len(chunks):
                upcoming.append(pool.submit(_parse_chunk, hague, chunks[n + 1], trust_anchors, limits))
            report.files.extend(_save_chunk(hague, parsed, radius))
            if progress:
                progress(len(chunk))
    return report


def _original_files(hague: Hague, case_code: str, ern: str | None, missing_only: bool) -> list[int]:
    with hague.reader() as session:
        case = get_case(session, case_code)
        stmt = (
            select(File.id)
            .join(Item, Item.id == File.item_id)
            .where(Item.case_id == case.id, File.derived_from_id.is_(None))
        )
        if ern:
            stmt = stmt.where(Item.ern == ern.strip().upper())
        if missing_only:
            stmt = stmt.where(~select(MediaExtraction.id).where(MediaExtraction.file_id == File.id).exists())
        return list(session.scalars(stmt.order_by(File.id)))


def extract_case(hague: Hague, case_code: str, *, ern: str | None = None, **options: Any) -> ExtractReport:
    """Extract every original file of the case (or of one item) that has no extraction yet."""
    return extract_file_ids(hague, _original_files(hague, case_code, ern, missing_only=True), **options)


def reprocess(hague: Hague, case_code: str, *, ern: str | None = None, **options: Any) -> ExtractReport:
    """Extract again with the tools installed now; earlier runs are kept (what tool, which version, when)."""
    return extract_file_ids(hague, _original_files(hague, case_code, ern, missing_only=False), **options)


def _extract_registered(hague: Hague, erns: list[str], report: ExtractReport, options: dict[str, Any]) -> None:
    try:
        with hague.reader() as session:
            ids = list(
                session.scalars(
                    select(File.id)
                    .join(Item)
                    .where(Item.ern.in_(erns), File.derived_from_id.is_(None))
                    .order_by(File.id)
                )
            )
        report.files.extend(extract_file_ids(hague, ids, **options).files)
    except Exception:  # intake MUST go on; `hague media extract` retries files left without a result
        log.exception("media extraction after intake failed for %d items; run `hague media extract`", len(erns))


def intake_hook(
    hague: Hague,
    case_code: str,
    report: ExtractReport | None = None,
    worker: ThreadPoolExecutor | None = None,
    **options: Any,
) -> Callable[[list[IngestRow]], None]:
    """A callback for `ingest(after=...)` that extracts each committed batch; it never raises into intake.

    With `worker` (one thread), a batch is extracted while intake hashes and commits the next one.
    """
    report = report if report is not None else ExtractReport()

    def after(rows: list[IngestRow]) -> None:
        erns = [r.ern for r in rows if r.status == "registered"]
        if not erns:
            return
        if worker is None:
            _extract_registered(hague, erns, report, options)
        else:
            worker.submit(_extract_registered, hague, erns, report, options)

    return after


def ingest_with_media(
    hague: Hague, case_code: str, paths: Iterable[Path], **options: Any
) -> tuple[list[IngestRow], ExtractReport]:
    """Intake (`hague.evidence.ingest`) with metadata extraction and near-duplicate checks after each commit.

    Extraction runs on a worker thread alongside intake, in commit order; this returns when both are done.
    """
    media_keys = ("trust_anchors", "limits", "batch", "radius")
    media = {k: options.pop(k) for k in media_keys if k in options}
    report = ExtractReport()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hague-media") as worker:
        rows = ingest(hague, case_code, paths, after=intake_hook(hague, case_code, report, worker, **media), **options)
    return rows, report
