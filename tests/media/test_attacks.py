"""Hostile files at intake, one named fixture each, all in one intake batch with two good photos: each item
is registered with its original hash intact, its failure recorded with the reason, the rest of the batch
extracted, and the intake process's peak RSS stays under 300 MB."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from hague.core import Hague
from hague.evidence.models import File, Item
from hague.media.models import MediaExtraction
from tests.media.conftest import ATTACKS, FIXTURES, MediaSet, new_case

PEAK_RSS_LIMIT = 300 * 1024 * 1024


@dataclass
class Intake:
    """What one intake run of the attack batch left behind."""

    rows: list[str]
    peak_rss: int
    extractions: dict[str, MediaExtraction]
    files: dict[str, File]
    stored_sha256: dict[str, str]


@pytest.fixture(scope="module")
def intake(shared_hague: Hague, media_set: MediaSet, tmp_path_factory: pytest.TempPathFactory) -> Intake:
    hague = shared_hague
    case_code = new_case(hague, "hostile files")
    batch = tmp_path_factory.mktemp("attack-batch")
    for source in (*(FIXTURES / name for name in ATTACKS), media_set.gps_photo, media_set.plain_photo):
        shutil.copyfile(source, batch / source.name)
    # intake runs in a fresh process, as `hague media ingest` does, so the peak RSS measured is its own
    args = [str(hague.settings.data_dir), hague.settings.resolved_database_url, case_code, str(batch)]
    proc = subprocess.run([sys.executable, "-m", "tests.media.intake_probe", *args], capture_output=True, timeout=600)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    report = json.loads(proc.stdout)
    with hague.reader() as session:
        found = session.execute(
            select(MediaExtraction, File, Item.title).join(File, File.id == MediaExtraction.file_id).join(Item)
        ).all()
    stored = {}
    for _row, file, title in found:
        with hague.store.open(file.sha256) as fh:
            stored[title] = hashlib.sha256(fh.read()).hexdigest()
    return Intake(
        rows=report["rows"],
        peak_rss=report["peak_rss"],
        extractions={title: row for row, _file, title in found},
        files={title: file for _row, file, title in found},
        stored_sha256=stored,
    )


def _check(intake: Intake, name: str, parser: str, reason: str) -> MediaExtraction:
    """Registered, hash intact, failure recorded with its reason, the good files extracted, RSS bounded."""
    assert intake.rows == ["registered"] * (len(ATTACKS) + 2)
    expected = hashlib.sha256((FIXTURES / name).read_bytes()).hexdigest()
    assert intake.files[name].sha256 == intake.stored_sha256[name] == expected
    row = intake.extractions[name]
    assert any(e["parser"] == parser and reason in e["reason"] for e in row.errors), row.errors
    assert intake.extractions["gps_photo.jpg"].status == intake.extractions["plain_photo.png"].status == "ok"
    assert intake.peak_rss < PEAK_RSS_LIMIT
    return row


def test_decompression_bomb_png(intake: Intake) -> None:
    row = _check(intake, "decompression_bomb.png", "pillow", "decompression bomb")
    assert row.status == "partial"
    assert row.suggestions["media"] == {"width": 20000, "height": 20000}  # exiftool read the header only


def test_absurd_dimensions_header(intake: Intake) -> None:
    row = _check(intake, "absurd_dimensions.png", "pillow", "10000000000 pixels")
    assert row.phash == []


def test_exif_with_a_recursive_ifd(intake: Intake) -> None:
    row = _check(intake, "recursive_ifd.jpg", "exiftool", "references previous IFD0")
    assert row.suggestions["device"] == {"make": "Hague"}


def test_zip_bomb_in_a_wacz(intake: Intake) -> None:
    _check(intake, "zip_bomb.wacz", "wacz", "zip bomb: entry 'archive/data.warc' inflates to 268435456 bytes")


def test_truncated_mp4(intake: Intake) -> None:
    row = _check(intake, "truncated.mp4", "ffprobe", "moov atom not found")
    assert row.phash == []


def test_jpeg_zip_polyglot(intake: Intake) -> None:
    _check(intake, "jpeg_zip_polyglot.jpg", "structure", "polyglot: a ZIP archive is appended")
