"""`hague casualties`: the commands are thin over the library; a full walkthrough and its error paths."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hague.cli.main import app
from hague.core import Hague
from hague.settings import Settings
from tests.casualties.conftest import write_csv
from tests.casualties.generate import generate
from tests.casualties.test_links import GENERATED_MAPPING

Run = Callable[..., tuple[int, str]]


@pytest.fixture
def run(settings: Settings, people: dict[str, str]) -> Run:
    runner = CliRunner()
    env = {"HAGUE_DATA_DIR": str(settings.data_dir), "HAGUE_DATABASE_URL": settings.resolved_database_url}

    def invoke(*args: str, actor: str = "ana") -> tuple[int, str]:
        result = runner.invoke(app, ["--as", actor, *args], env=env)
        return result.exit_code, result.output

    return invoke


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(GENERATED_MAPPING), encoding="utf-8")
    return path


@pytest.mark.slow
def test_walkthrough_import_link_review_count_estimate_report(
    run: Run, hague: Hague, case_code: str, mapping: Path, tmp_path: Path
) -> None:
    frame = generate(120, lists=3, seed=12)
    for source, group in frame.groupby("source"):
        rows = group.drop(columns=["unique_id", "truth", "source"]).fillna("").to_dict("records")
        rows = [{k: (str(int(v)) if k == "age" and v != "" else v) for k, v in r.items()} for r in rows]
        path = write_csv(tmp_path / f"{source}.csv", rows)
        assert run("casualties", "source", "add", case_code, str(source), f"list {source}", "--type", "ngo",
                   "--mapping", str(mapping))[0] == 0  # fmt: skip
        code, out = run("casualties", "import", case_code, str(source), str(path), "--json")
        assert code == 0, out
        assert json.loads(out)["rows"] == len(group)
    code, out = run("casualties", "link", case_code, "--match-threshold", "0.999", "--json")
    assert code == 0, out
    linked = json.loads(out)
    assert linked["victims"] < linked["records"] == len(frame)
    code, out = run("casualties", "review", case_code, "--json")
    queue = json.loads(out)
    assert code == 0 and len(queue) == linked["review_queue"]
    if queue:
        assert run("casualties", "review", case_code, "--pair", str(queue[0]["pair"]), "--decision", "accept")[0] == 0
    code, out = run("casualties", "count", case_code, "--json")
    counts = json.loads(out)
    assert code == 0 and counts["label"] == "documented minimum"
    assert counts["totals"]["killed"] <= linked["victims"]
    code, out = run("casualties", "estimate", case_code, "--stratify", "region", "--json")
    assert code == 0, out
    estimate = json.loads(out)
    assert estimate["label"] == "estimate" and estimate["strata"]
    assert all(s["label"] == "estimate" for s in estimate["strata"].values())
    code, out = run("casualties", "report", case_code, str(tmp_path / "report"))
    assert code == 0, out
    assert (tmp_path / "report" / "summary.pdf").read_bytes().startswith(b"%PDF")


def test_import_needs_an_actor(settings: Settings, case_code: str, tmp_path: Path) -> None:
    env = {"HAGUE_DATA_DIR": str(settings.data_dir), "HAGUE_DATABASE_URL": settings.resolved_database_url}
    path = write_csv(tmp_path / "x.csv", [{"name": "x"}])
    out = CliRunner().invoke(app, ["casualties", "import", case_code, "OBL", str(path)], env=env)
    assert out.exit_code == 2 and "--as" in out.output


def test_estimate_before_linkage_is_refused(run: Run, case_code: str, mapping: Path, tmp_path: Path) -> None:
    rows = [
        {"given_name": "Олена", "surname": "Шевченко", "patronymic": "", "sex": "female", "age": "30",
         "date": "2022-03-01", "place": "Харків", "region": "Kharkivska", "status": "", "verification": ""}
    ]  # fmt: skip
    for source in ("A", "B"):
        run("casualties", "source", "add", case_code, source, source, "--type", "ngo", "--mapping", str(mapping))
        run("casualties", "import", case_code, source, str(write_csv(tmp_path / f"{source}.csv", rows)))
    code, out = run("casualties", "estimate", case_code)
    assert code == 2 and "link" in out


def test_review_needs_pair_and_decision_together(run: Run, case_code: str) -> None:
    code, out = run("casualties", "review", case_code, "--pair", "1")
    assert code == 2 and "--decision" in out


def test_readme_casualty_commands_exist() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Civilian casualties", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = {line.split("casualties", 1)[1].split()[0] for line in block.splitlines() if "casualties" in line}
    assert commands == {"source", "import", "withdraw", "link", "review", "count", "estimate", "report"}
    for command in commands:
        assert CliRunner().invoke(app, ["casualties", command, "--help"]).exit_code == 0
