"""Parsers run in a separate process with memory, CPU and wall-clock limits; the batch survives its worst file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hague.media.extract import extract_batch
from hague.media.sandbox import Limits, SandboxFailure, run_isolated
from tests.media.conftest import MediaSet, job_for


def test_a_parser_result_comes_back_from_the_child() -> None:
    assert (
        run_isolated("hague.media.normalise:parse_time", "2024:03:01 10:22:33+02:00")["utc"] == "2024-03-01T08:22:33Z"
    )


def test_a_parser_that_hangs_is_killed_at_the_wall_clock_limit() -> None:
    with pytest.raises(SandboxFailure, match="timed out after 2 s"):
        run_isolated("tests.media.crashing:sleep_then", 30, Limits(idle_seconds=2))


def test_a_parser_over_the_memory_limit_fails_in_its_own_process() -> None:
    with pytest.raises(SandboxFailure, match="memory"):
        run_isolated("tests.media.crashing:hog", 4096, Limits(memory_bytes=512 << 20))


def _batch(media_set: MediaSet, tmp_path: Path, hostile: str) -> list[Path]:
    bad = tmp_path / hostile
    shutil.copyfile(media_set.plain_photo, bad)
    return [media_set.gps_photo, bad, media_set.plain_photo]


def test_a_parser_crash_is_recorded_on_that_file_and_the_batch_goes_on(media_set: MediaSet, tmp_path: Path) -> None:
    jobs = [job_for(p) for p in _batch(media_set, tmp_path, "crash.png")]
    results = extract_batch(jobs, target="tests.media.crashing:probe_batch")
    assert [r.status for r in results] == ["ok", "partial", "ok"]
    assert results[1].errors[0]["parser"] == "sandbox"
    assert "SIGABRT" in results[1].errors[0]["reason"]
    assert results[1].raw["exiftool"]["File:MIMEType"] == "image/png"  # exiftool still read it afterwards


def test_a_parser_hang_is_recorded_on_that_file_and_the_batch_goes_on(media_set: MediaSet, tmp_path: Path) -> None:
    jobs = [job_for(p) for p in _batch(media_set, tmp_path, "hang.png")]
    results = extract_batch(jobs, target="tests.media.crashing:probe_batch", limits=Limits(idle_seconds=3))
    assert [r.status for r in results] == ["ok", "partial", "ok"]
    assert "timed out" in results[1].errors[0]["reason"]
