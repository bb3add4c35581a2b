"""The `hague` command: each command is one library call; errors become one clear line and exit code 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hague.cli.main import app
from hague.settings import Settings


@pytest.fixture
def run(settings: Settings) -> object:
    runner = CliRunner()
    env = {
        "HAGUE_DATA_DIR": str(settings.data_dir),
        "HAGUE_DATABASE_URL": settings.resolved_database_url,
    }

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, list(args), env=env)
        return result.exit_code, result.output

    return invoke


def test_case_create_prints_the_new_case_code(run) -> None:  # type: ignore[no-untyped-def]
    assert run("org", "create", "OTP", "Office")[0] == 0
    code, out = run("case", "create", "Attacks", "--org", "OTP", "--situation", "UKR")
    assert (code, out.strip()) == (0, "UKR-OTP-0001")


def test_item_add_then_show_as_json(run) -> None:  # type: ignore[no-untyped-def]
    run("org", "create", "OTP", "Office")
    run("case", "create", "Attacks", "--org", "OTP", "--situation", "UKR")
    code, out = run(
        "item",
        "add",
        "UKR-OTP-0001",
        "Cartridge case",
        "--kind",
        "physical",
        "--collected-at",
        "2022-04-20T10:00:00+03:00",
        "--collected-tz",
        "Europe/Kyiv",
    )
    assert (code, out.strip()) == (0, "UKR-OTP-0001-0001")
    code, out = run("item", "show", "UKR-OTP-0001-0001", "--json")
    shown = json.loads(out)
    assert (shown["kind"], shown["collected_at"], shown["collected_tz"]) == (
        "physical",
        "2022-04-20T07:00:00+00:00",
        "Europe/Kyiv",
    )


def test_library_error_is_one_line_and_exit_code_2(run) -> None:  # type: ignore[no-untyped-def]
    code, out = run("item", "show", "UKR-OTP-0001-0999")
    assert code == 2
    assert out.strip() == "error: no item 'UKR-OTP-0001-0999'"


def test_invalid_kind_names_the_allowed_values(run) -> None:  # type: ignore[no-untyped-def]
    run("org", "create", "OTP", "Office")
    run("case", "create", "Attacks", "--org", "OTP", "--situation", "UKR")
    code, out = run("item", "add", "UKR-OTP-0001", "x", "--kind", "rumour")
    assert code == 2 and "kind must be one of testimony, physical, digital, document" in out


def test_ingest_writes_the_manifest_and_reports_counts(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("org", "create", "OTP", "Office")
    run("case", "create", "Attacks", "--org", "OTP", "--situation", "UKR")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("a")
    (tmp_path / "in" / "b.txt").write_text("b")
    manifest = tmp_path / "m.csv"
    code, out = run("ingest", "UKR-OTP-0001", str(tmp_path / "in"), "--manifest", str(manifest))
    assert code == 0 and "2 registered, 0 already held, 0 failed" in out
    assert len(manifest.read_text().splitlines()) == 3
    code, out = run("ingest", "UKR-OTP-0001", str(tmp_path / "in"), "--manifest", str(manifest))
    assert "0 registered, 2 already held, 0 failed" in out


def test_ingest_with_a_failed_file_exits_1_and_names_it(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("org", "create", "OTP", "Office")
    run("case", "create", "Attacks", "--org", "OTP", "--situation", "UKR")
    code, out = run("ingest", "UKR-OTP-0001", str(tmp_path / "nope.jpg"), "--manifest", str(tmp_path / "m.csv"))
    assert code == 1 and "nope.jpg" in out


def test_demo_loads_once_with_items_of_every_kind(run) -> None:  # type: ignore[no-untyped-def]
    code, out = run("demo", "--json")
    summary = json.loads(out)
    assert code == 0 and summary["created"] and summary["items"] >= 48
    code, out = run("item", "list", summary["case"], "--json", "--limit", "500")
    kinds = {i["kind"] for i in json.loads(out)}
    assert kinds >= {"physical", "digital", "document", "testimony"}
    code, out = run("demo", "--json")
    assert json.loads(out)["created"] is False


README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_first_screen_gives_make_run_and_make_test() -> None:
    first_screen = "\n".join(README.read_text().splitlines()[:25])
    assert "make run" in first_screen and "make test" in first_screen


def test_readme_command_line_walkthrough_runs(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    text = README.read_text()
    block = text.split("## Using the command line", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = block.replace("\\\n", " ").splitlines()
    commands = [ln.split("#", 1)[0].strip() for ln in lines if ln.strip().startswith(".venv/bin/hague")]
    assert len(commands) >= 8
    folder = tmp_path / "field-upload"
    folder.mkdir()
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    monkeypatch.chdir(tmp_path)
    import shlex

    for command in commands:
        args = shlex.split(command)[1:]
        code, out = run(*args)
        assert code == 0, f"{command!r} failed: {out}"
        assert not re.search(r"error", out, re.IGNORECASE), out
