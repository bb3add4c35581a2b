"""Intake of files and folders: idempotent, parallel, and clear about hostile input."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hague.core import Hague
from hague.evidence.ingest import ingest, write_manifest
from hague.evidence.models import File, Item


def _tree(root: Path) -> Path:
    (root / "a" / "b").mkdir(parents=True)
    (root / "one.txt").write_text("first")
    (root / "a" / "two.bin").write_bytes(os.urandom(3000))
    (root / "a" / "b" / "three.txt").write_text("third")
    return root


def test_folder_is_ingested_recursively_one_item_per_file(hague: Hague, case_code: str, tmp_path: Path) -> None:
    rows = ingest(hague, case_code, [_tree(tmp_path / "in")])
    assert sorted(r.status for r in rows) == ["registered"] * 3
    with hague.reader() as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 3
        assert session.scalar(select(func.count()).select_from(File)) == 3


def test_reingest_reports_existing_items_and_stores_nothing_twice(hague: Hague, case_code: str, tmp_path: Path) -> None:
    folder = _tree(tmp_path / "in")
    first = ingest(hague, case_code, [folder])
    second = ingest(hague, case_code, [folder])
    assert [r.status for r in second] == ["existing"] * 3
    assert {r.ern for r in second} == {r.ern for r in first}
    assert len(list(hague.store.iter_digests())) == 3


def test_same_content_twice_in_one_batch_is_one_item(hague: Hague, case_code: str, tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("dup")
    (tmp_path / "y.txt").write_text("dup")
    rows = ingest(hague, case_code, [tmp_path / "x.txt", tmp_path / "y.txt"])
    assert [r.status for r in rows] == ["registered", "existing"]
    assert rows[0].ern == rows[1].ern


def test_empty_file_is_registered_with_its_hash(hague: Hague, case_code: str, tmp_path: Path) -> None:
    (tmp_path / "empty").write_bytes(b"")
    (row,) = ingest(hague, case_code, [tmp_path / "empty"])
    assert (row.status, row.size, row.sha256[:8]) == ("registered", 0, "e3b0c442")


def test_mime_type_is_sniffed_from_content_not_name(hague: Hague, case_code: str, tmp_path: Path) -> None:
    (tmp_path / "photo.txt").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    ingest(hague, case_code, [tmp_path / "photo.txt"])
    with hague.reader() as session:
        assert session.scalar(select(File.mime_type)) == "application/pdf"


def test_unreadable_file_is_reported_by_name_and_the_rest_continues(
    hague: Hague, case_code: str, tmp_path: Path
) -> None:
    if os.geteuid() == 0:
        pytest.skip(
            "root reads everything; tests/foundation/test_hostile_intake.py runs this case as an unprivileged user"
        )
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    secret.chmod(0)
    (tmp_path / "ok.txt").write_text("ok")
    rows = ingest(hague, case_code, [tmp_path])
    assert {r.path.rsplit("/", 1)[-1]: r.status for r in rows} == {"ok.txt": "registered", "secret.txt": "failed"}


def test_symlink_loop_is_reported_not_followed(hague: Hague, case_code: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "loop").symlink_to(folder)
    (folder / "real.txt").write_text("real")
    rows = ingest(hague, case_code, [folder])
    by_name = {r.path.rsplit("/", 1)[-1]: r for r in rows}
    assert by_name["real.txt"].status == "registered"
    assert by_name["loop"].status == "failed" and "link" in by_name["loop"].error


def test_names_with_traversal_and_control_characters_are_sanitised(
    hague: Hague, case_code: str, tmp_path: Path
) -> None:
    odd = tmp_path / "..\x1b[31mevil\n.txt"
    odd.write_text("x")
    (row,) = ingest(hague, case_code, [odd])
    with hague.reader() as session:
        name = session.scalar(select(File.original_name))
    assert row.status == "registered"
    assert name is not None and "\x1b" not in name and "\n" not in name and not name.startswith("..")
    assert "\x1b" not in row.path


def test_manifest_lists_path_ern_hash_size_and_status(hague: Hague, case_code: str, tmp_path: Path) -> None:
    rows = ingest(hague, case_code, [_tree(tmp_path / "in")])
    manifest = tmp_path / "manifest.csv"
    write_manifest(rows, manifest)
    with manifest.open() as fh:
        records = list(csv.DictReader(fh))
    assert set(records[0]) == {"path", "ern", "sha256", "size", "status", "error"}
    assert sorted(r["ern"] for r in records) == sorted(r.ern for r in rows)


def test_unknown_case_fails_before_storing_anything(hague: Hague, tmp_path: Path) -> None:
    from hague.errors import NotFound

    (tmp_path / "f").write_text("x")
    with pytest.raises(NotFound):
        ingest(hague, "UKR-OTP-0099", [tmp_path / "f"])
    assert list(hague.store.iter_digests()) == []


def test_bulk_registered_records_verify_against_their_rows(hague: Hague, case_code: str, tmp_path: Path) -> None:
    from hague.ledger.fsck import verify

    folder = tmp_path / "in"
    (folder / "sub dir").mkdir(parents=True)
    for n in range(40):
        (folder / "sub dir" / f"m{n:03d}.json").write_bytes(os.urandom(100 + n))
    (folder / "caf\u00e9 \u00e9t\u00e9.txt").write_text("accents")
    rows = ingest(hague, case_code, [folder], collected_by="analyst 7")
    assert sorted({r.status for r in rows}) == ["registered"]
    result = verify(hague)
    assert result.ok, result.findings
    with hague.reader() as session:
        items = session.scalars(select(Item).order_by(Item.id)).all()
        assert {i.source for i in items} == {"sub dir", "in"}
        assert {i.collected_by for i in items} == {"analyst 7"}
        assert all(i.collected_at is not None and i.collected_at.tzinfo is not None for i in items)
        assert [f.item_id for f in session.scalars(select(File).order_by(File.id))] == [i.id for i in items]


def test_reingest_across_batches_reports_each_existing_item(hague: Hague, case_code: str, tmp_path: Path) -> None:
    from hague.evidence import ingest as intake

    folder = tmp_path / "in"
    folder.mkdir()
    count = intake.BATCH_FILES + intake.CHUNK_FILES + 3
    for n in range(count):
        (folder / f"f{n:04d}").write_bytes(n.to_bytes(4, "big") * 3)
    first = {r.path: r.ern for r in ingest(hague, case_code, [folder])}
    second = ingest(hague, case_code, [folder])
    assert len(first) == count and len(set(first.values())) == count
    assert {r.status for r in second} == {"existing"}
    assert {r.path: r.ern for r in second} == first
