"""Consistency of a Hague instance after a crash: store objects, rows and log entries agree."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from hague.core import Hague
from hague.evidence.models import Counter, File, Item
from hague.ledger.models import LogEntry, LogState


def assert_consistent(hague: Hague) -> None:
    """Raise AssertionError naming the first inconsistency found."""
    stored = set(hague.store.iter_digests())
    for digest in stored:
        with hague.store.open(digest) as fh:
            actual = hashlib.file_digest(fh, "sha256").hexdigest()
        assert actual == digest, f"visible object {digest} is half-written or corrupt"
    with hague.reader() as session:
        for sha in session.scalars(select(File.sha256)):
            assert sha in stored, f"file row {sha} has no stored object"
        orphans = session.scalars(select(Item.ern).where(Item.kind == "digital").where(~Item.files.any())).all()
        assert not orphans, f"items without their file: {orphans}"
        erns = session.scalars(select(Item.ern)).all()
        assert len(erns) == len(set(erns)), "an ERN was used twice"
        counted = {kind: n for kind, n in session.execute(select(LogEntry.kind, func.count()).group_by(LogEntry.kind))}
        assert counted.get("item.registered", 0) == len(erns), "items and item.registered entries disagree"
        files = session.scalar(select(func.count()).select_from(File)) or 0
        attested = counted.get("file.added", 0) + counted.get("derivative.added", 0)
        assert attested == files, "files and file entries disagree"
        state = session.get(LogState, 1)
        size = session.scalar(select(func.count()).select_from(LogEntry)) or 0
        assert (state.size if state else 0) == size, "log size and entries disagree"
        for counter in session.scalars(select(Counter).where(Counter.scope.like("ern:%"))):
            prefix = counter.scope.removeprefix("ern:")
            numbers = [int(e.rsplit("-", 1)[1]) for e in erns if e.startswith(prefix + "-")]
            assert max(numbers, default=0) <= counter.value, f"counter {counter.scope} behind its ERNs"
