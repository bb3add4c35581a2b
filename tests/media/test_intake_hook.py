"""The intake hook (`ingest(after=...)`, the one foundation change): called after each commit, with its rows."""

from __future__ import annotations

from pathlib import Path

from hague.core import Hague
from hague.evidence import register
from hague.evidence.ingest import IngestRow, ingest


def test_after_is_called_with_each_committed_batch(hague: Hague, case_code: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"  # not tmp_path itself: the instance's data folder is there too
    folder.mkdir()
    for n in range(3):
        (folder / f"f{n}.txt").write_text(f"statement {n}")
    seen: list[list[IngestRow]] = []
    committed: list[str] = []

    def after(rows: list[IngestRow]) -> None:
        seen.append(rows)
        with hague.reader() as session:  # the batch is already committed when the hook runs
            committed.extend(register.get_item(session, r.ern).ern for r in rows)

    rows = ingest(hague, case_code, [folder], after=after)
    assert len(rows) == 3
    assert [r for batch in seen for r in batch] == rows
    assert committed == [r.ern for r in rows]


def test_intake_without_a_hook_is_unchanged(hague: Hague, case_code: str, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    assert [r.status for r in ingest(hague, case_code, [tmp_path / "a.txt"])] == ["registered"]
