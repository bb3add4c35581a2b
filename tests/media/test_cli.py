"""The `hague media` commands: each is one library call; checked end to end on a scratch instance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hague.cli.main import app
from tests.media.conftest import FIXTURES, MediaSet


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory, media_set: MediaSet) -> tuple[CliRunner, list[str]]:
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path_factory.mktemp("cli-data"))]
    for args in (
        ["org", "create", "OTP", "Office of the Prosecutor"],
        ["case", "create", "Media", "--org", "OTP", "--situation", "UKR"],
    ):
        result = runner.invoke(app, [*base, *args])
        assert result.exit_code == 0, result.output
    files = [str(media_set.gps_photo), str(media_set.copies["reencode"]), str(media_set.wacz)]
    result = runner.invoke(app, [*base, "media", "ingest", "UKR-OTP-0001", *files, "--json"])
    assert result.exit_code == 0, result.output
    return runner, base


def _json(cli: tuple[CliRunner, list[str]], *args: str) -> Any:
    runner, base = cli
    result = runner.invoke(app, [*base, *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_show_lists_runs_with_tools_and_suggestions(cli: tuple[CliRunner, list[str]]) -> None:
    view = _json(cli, "media", "show", "UKR-OTP-0001-0001")
    (run,) = view["runs"]
    assert run["run"] == 1 and "exiftool" in run["tools"]
    assert run["suggestions"]["device"]["make"] == "Canon"
    assert view["collector_record"]["lat"] is None


def test_similar_by_ern_and_by_file(cli: tuple[CliRunner, list[str]], media_set: MediaSet) -> None:
    by_ern = _json(cli, "media", "similar", "UKR-OTP-0001", "--ern", "UKR-OTP-0001-0002")
    by_file = _json(cli, "media", "similar", "UKR-OTP-0001", "--file", str(media_set.copies["rotate90"]))
    assert [m["ern"] for m in by_ern] == ["UKR-OTP-0001-0001"]
    assert {m["ern"] for m in by_file} == {"UKR-OTP-0001-0001", "UKR-OTP-0001-0002"}


def test_clusters_lists_the_near_duplicate_group(cli: tuple[CliRunner, list[str]]) -> None:
    clusters = _json(cli, "media", "clusters", "UKR-OTP-0001")
    assert [(c["kind"], [m["ern"] for m in c["members"]]) for c in clusters] == [
        ("near", ["UKR-OTP-0001-0001", "UKR-OTP-0001-0002"])
    ]


def test_capture_shows_target_signature_and_records(cli: tuple[CliRunner, list[str]]) -> None:
    capture = _json(cli, "media", "capture", "UKR-OTP-0001-0003")
    assert capture["target_url"].startswith("https://news.example.org/")
    assert capture["signature"]["status"] == "valid"
    assert all(len(r["sha256"]) == 64 for r in capture["records"] if r["type"] == "response")


def test_reprocess_adds_second_runs(cli: tuple[CliRunner, list[str]]) -> None:
    report = _json(cli, "media", "reprocess", "UKR-OTP-0001", "--ern", "UKR-OTP-0001-0001")
    assert [(f["ern"], f["run"]) for f in report] == [("UKR-OTP-0001-0001", 2)]


def test_extract_has_nothing_left_to_do_after_ingest(cli: tuple[CliRunner, list[str]]) -> None:
    assert _json(cli, "media", "extract", "UKR-OTP-0001") == []


def test_unknown_case_is_a_clear_error(cli: tuple[CliRunner, list[str]], tmp_path: Path) -> None:
    runner, base = cli
    result = runner.invoke(app, [*base, "media", "clusters", "UKR-OTP-0099"])
    assert result.exit_code == 2
    assert "no case" in result.output


def test_parser_messages_with_brackets_print_as_text(cli: tuple[CliRunner, list[str]], tmp_path: Path) -> None:
    runner, base = cli
    broken = tmp_path / "broken.mp4"
    broken.write_bytes((FIXTURES / "truncated.mp4").read_bytes())
    result = runner.invoke(app, [*base, "media", "ingest", "UKR-OTP-0001", str(broken)])
    assert result.exit_code == 0, result.output
    assert "[mov,mp4" in result.output.replace("\n", "")  # ffprobe's own prefix, not taken as markup
