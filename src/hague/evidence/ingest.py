"""Intake of files and folders as digital items: hash-and-store in parallel, register in group commits.

Order of durability: a blob is fsynced in the store before the transaction that references it
commits, so a crash leaves at most an unreferenced blob (invisible, reused on re-ingest), never an
item without its file. Re-ingesting content already in the case reports the existing item.
"""

from __future__ import annotations

import csv
import os
import stat
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from hague import __version__
from hague.core import Hague
from hague.db.base import utcnow
from hague.errors import HagueError
from hague.evidence.bulk import NewFile, register_files
from hague.evidence.names import display_path
from hague.evidence.register import ItemInput, get_case
from hague.evidence.sniff import HEAD, sniff_mime
from hague.store import StoredBlob

BATCH_FILES = 500
BATCH_SECONDS = 1.0
CHUNK_FILES = 16  # small files per worker task
CHUNK_BYTES = 1024 * 1024  # ... up to this many bytes; a larger file is a task of its own


@dataclass
class IngestRow:
    """One line of the intake manifest."""

    path: str
    status: str  # registered | existing | failed
    ern: str = ""
    sha256: str = ""
    size: int = 0
    error: str = ""


@dataclass
class Candidate:
    """A file found by the walk, or a path that could not be taken in."""

    path: Path
    size: int = 0
    error: str = ""


def walk(paths: Iterable[Path]) -> Iterator[Candidate]:
    """Every regular file under `paths`, without following symlinks; anything else as an error row."""
    for root in paths:
        try:
            st = os.lstat(root)
        except OSError as exc:
            yield Candidate(root, error=f"cannot access: {exc.strerror}")
            continue
        if stat.S_ISLNK(st.st_mode):
            yield Candidate(root, error="is a symbolic link; links are not followed")
        elif stat.S_ISDIR(st.st_mode):
            yield from _walk_dir(root)
        elif stat.S_ISREG(st.st_mode):
            yield Candidate(root, st.st_size)
        else:
            yield Candidate(root, error="is not a regular file")


def _walk_dir(root: Path) -> Iterator[Candidate]:
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=errors.append):
        while errors:
            err = errors.pop()
            yield Candidate(Path(err.filename or dirpath), error=f"cannot read folder: {err.strerror}")
        dirnames.sort()
        for name in [*sorted(filenames), *[d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]]:
            path = Path(dirpath) / name
            try:
                st = os.lstat(path)
            except OSError as exc:
                yield Candidate(path, error=f"cannot access: {exc.strerror}")
                continue
            if stat.S_ISLNK(st.st_mode):
                yield Candidate(path, error="is a symbolic link; links are not followed")
            elif stat.S_ISREG(st.st_mode):
                yield Candidate(path, st.st_size)
            else:
                yield Candidate(path, error="is not a regular file")
    while errors:
        err = errors.pop()
        yield Candidate(Path(err.filename or root), error=f"cannot read folder: {err.strerror}")


def _store(hague: Hague, candidate: Candidate) -> tuple[StoredBlob, str]:
    blob = hague.store.put_path(candidate.path, staged=True)
    head = blob.head
    if not head and blob.size:
        with hague.store.open(blob.sha256) as fh:
            head = fh.read(HEAD)
    # The head was only needed for sniffing: results wait in memory until their batch commits.
    return StoredBlob(blob.sha256, blob.size, blob.created), sniff_mime(head)


Stored = tuple[StoredBlob, str] | HagueError | OSError


def _store_chunk(hague: Hague, chunk: list[Candidate]) -> list[Stored]:
    """Store and sniff several files in one task (one future per file costs more than a small file)."""
    out: list[Stored] = []
    for candidate in chunk:
        try:
            out.append(_store(hague, candidate))
        except (HagueError, OSError) as exc:
            out.append(exc)
    return out


Progress = Callable[[int, int], None]


def ingest(
    hague: Hague,
    case_code: str,
    paths: Iterable[Path],
    *,
    collected_by: str = "",
    classification: str = "restricted",
    kind: str = "digital",
    method: str = "file intake",
    progress: Progress | None = None,
    after: Callable[[list[IngestRow]], None] | None = None,
) -> list[IngestRow]:
    """Register every file under `paths` as an item of the case (digital by default); one row per path.

    `after`, if given, is called with each committed batch's rows (e.g. metadata extraction); it
    MUST NOT raise (intake does not undo committed batches).
    """
    ItemInput(kind=kind, title="-", classification=classification).validate()
    meta = {"collected_by": collected_by, "classification": classification, "kind": kind, "method": method}
    with hague.reader() as session:
        get_case(session, case_code)  # fail early on an unknown case
    rows: list[IngestRow] = []
    pending: list[tuple[Candidate, StoredBlob, str]] = []
    last_commit = time.monotonic()
    workers = max(1, hague.settings.ingest_workers)
    # Files stored ahead of the database: enough for the workers to keep going while a batch commits.
    window = max(workers * 4, 2 * BATCH_FILES)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hague-ingest") as pool:
        inflight: deque[tuple[list[Candidate], Future[list[Stored]]]] = deque()
        queued = 0  # files in `inflight`

        def commit() -> None:
            nonlocal last_commit
            committed = _register(hague, case_code, pending, meta)
            rows.extend(committed)
            pending.clear()
            if after:
                after(committed)
            last_commit = time.monotonic()

        def drain(until: int) -> None:
            """Take finished work in order; wait only while more than `until` files are queued."""
            nonlocal queued
            while inflight and (queued > until or inflight[0][1].done()):
                chunk, future = inflight.popleft()
                queued -= len(chunk)
                for candidate, result in zip(chunk, future.result(), strict=True):
                    if isinstance(result, HagueError):
                        rows.append(IngestRow(display_path(str(candidate.path)), "failed", error=result.message))
                    elif isinstance(result, OSError):
                        rows.append(IngestRow(display_path(str(candidate.path)), "failed", error=str(result.strerror)))
                    else:
                        blob, mime = result
                        pending.append((candidate, blob, mime))
                        if progress:
                            progress(1, blob.size)
                        if len(pending) >= BATCH_FILES or time.monotonic() - last_commit > BATCH_SECONDS:
                            commit()

        chunk: list[Candidate] = []
        chunk_bytes = 0

        def submit() -> None:
            nonlocal chunk, chunk_bytes, queued
            if chunk:
                inflight.append((chunk, pool.submit(_store_chunk, hague, chunk)))
                queued += len(chunk)
                chunk, chunk_bytes = [], 0

        for candidate in walk(paths):
            if candidate.error:
                rows.append(IngestRow(display_path(str(candidate.path)), "failed", error=candidate.error))
                if progress:
                    progress(1, 0)
                continue
            if candidate.size > CHUNK_BYTES:
                submit()  # a large file is a task of its own, so that workers share large files
            chunk.append(candidate)
            chunk_bytes += candidate.size
            if len(chunk) >= CHUNK_FILES or chunk_bytes >= CHUNK_BYTES:
                submit()
                drain(window)
        submit()
        drain(0)
    if pending:
        commit()
    return rows


def _register(
    hague: Hague, case_code: str, batch: list[tuple[Candidate, StoredBlob, str]], meta: dict[str, str]
) -> list[IngestRow]:
    """Register a batch in one transaction (group commit): new items, or the existing ERN."""
    template = ItemInput(
        kind=meta["kind"],
        title="-",
        collected_at=utcnow(),
        collected_by=meta["collected_by"],
        method=meta["method"],
        tool="hague ingest",
        tool_version=__version__,
        classification=meta["classification"],
    )
    files = [
        NewFile(blob.sha256, blob.size, mime, os.fsdecode(c.path.name), os.fsdecode(c.path.parent.name))
        for c, blob, mime in batch
    ]
    # Blobs become durable and visible before the records that reference them commit.
    failed = hague.store.publish()
    rows = [
        IngestRow(display_path(str(c.path)), "failed", sha256=blob.sha256, size=blob.size, error=failed[blob.sha256])
        for c, blob, _ in batch
        if blob.sha256 in failed
    ]
    kept = [(c, blob, f) for (c, blob, _), f in zip(batch, files, strict=True) if blob.sha256 not in failed]
    if not kept:
        return rows
    with hague.unit() as unit:
        case = get_case(unit.session, case_code)
        outcomes = register_files(unit, case, [f for _, _, f in kept], template)
    return rows + [
        IngestRow(display_path(str(c.path)), "existing" if o.existing else "registered", o.ern, blob.sha256, blob.size)
        for (c, blob, _), o in zip(kept, outcomes, strict=True)
    ]


def write_manifest(rows: list[IngestRow], path: Path) -> None:
    """Write the intake manifest CSV atomically (path, ERN, sha256, size, status, error)."""
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "ern", "sha256", "size", "status", "error"])
        for row in rows:
            writer.writerow([row.path, row.ern, row.sha256, row.size, row.status, row.error])
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
