"""`hague identify`: import a lab's CSV files, screen with --json, joint search, and the workflow commands."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hague.cli.main import app
from hague.settings import Settings
from tests.identify.conftest import Team, disaster_files
from tests.identify.disaster import Disaster

Run = Callable[..., tuple[int, str]]


@pytest.fixture
def run(settings: Settings) -> Run:
    runner = CliRunner()
    env = {"HAGUE_DATA_DIR": str(settings.data_dir), "HAGUE_DATABASE_URL": settings.resolved_database_url}

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, list(args), env=env)
        return result.exit_code, result.output

    return invoke


@pytest.fixture
def imported(run: Run, team: Team, small_disaster: Disaster, tmp_path: Path) -> Team:
    paths = {}
    for name, text in disaster_files(small_disaster).items():
        paths[name] = tmp_path / name
        paths[name].write_text(text)
    code, out = run("--as", team.investigator, "identify", "import", "--case", team.case,
                    "--frequencies", str(paths["frequencies.csv"]), "--db-name", "sim",
                    "--mutation", "proportional", "--mutation-rate", "0.002",
                    "--remains", str(paths["remains.csv"]), "--pedigrees", str(paths["pedigrees.csv"]),
                    "--profiles", str(paths["profiles.csv"]), "--json")  # fmt: skip
    assert code == 0, out
    summary = json.loads(out)
    assert summary["remains"] == len(small_disaster.remains)
    return team


def test_screen_json_ranks_true_pairs_with_lrs_and_exclusions(
    run: Run, imported: Team, small_disaster: Disaster
) -> None:
    code, out = run("identify", "screen", "--case", imported.case, "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["threshold"] == 10_000 and len(report["markers"]) == 21
    hits = report["candidates"]
    assert hits
    for hit in hits:
        assert small_disaster.truth[hit["remains"]] == (hit["family"], hit["missing_person"])
        assert hit["log10_lr"] >= 4 and hit["exclusions"] >= 0
    assert [h["log10_lr"] for h in hits] == sorted((h["log10_lr"] for h in hits), reverse=True)


def test_joint_json_lists_assignments_with_posteriors(run: Run, imported: Team, small_disaster: Disaster) -> None:
    family = next(iter(small_disaster.truth.values()))[0]
    code, out = run("identify", "joint", family, "--case", imported.case, "--json")
    assert code == 0, out
    report = json.loads(out)
    top = report["assignments"][0]
    assert set(top) == {"assignment", "log10_likelihood", "log10_lr", "posterior"}
    truth = {mp: r for r, (f, mp) in small_disaster.truth.items() if f == family}
    assert {mp: r for mp, r in top["assignment"].items() if r} == truth
    assert 0 < sum(a["posterior"] for a in report["assignments"]) <= 1 + 1e-9


def test_workflow_commands_take_a_candidate_to_notified(run: Run, imported: Team) -> None:
    code, out = run("--as", imported.investigator, "identify", "screen", "--case", imported.case, "--record")
    assert code == 0, out
    code, out = run("identify", "matches", "--case", imported.case, "--json")
    match = str(json.loads(out)[0]["id"])
    assert run("--as", imported.investigator, "identify", "review", "--case", imported.case, match)[0] == 0
    code, out = run("--as", imported.lead, "identify", "confirm", "--case", imported.case, match,
                    "--board-decision", "IB-2026-001")  # fmt: skip
    assert code == 2 and "justification is required" in out
    code, out = run("--as", imported.lead, "identify", "confirm", "--case", imported.case, match,
                    "--board-decision", "IB-2026-001", "--dna", "DNA-REPORT-1")  # fmt: skip
    assert code == 0, out
    code, out = run("--as", imported.investigator, "identify", "notify", "--case", imported.case, match,
                    "--method", "home visit")  # fmt: skip
    assert code == 0, out
    code, out = run("identify", "matches", "--case", imported.case, "--json")
    assert next(m for m in json.loads(out) if str(m["id"]) == match)["state"] == "notified"


def test_import_is_all_or_nothing(run: Run, team: Team, small_disaster: Disaster, tmp_path: Path) -> None:
    files = disaster_files(small_disaster)
    (tmp_path / "remains.csv").write_text(files["remains.csv"])
    (tmp_path / "profiles.csv").write_text(files["profiles.csv"])  # references are not registered: refused
    remains, profiles = str(tmp_path / "remains.csv"), str(tmp_path / "profiles.csv")
    code, out = run("--as", team.investigator, "identify", "import", "--case", team.case,
                    "--remains", remains, "--profiles", profiles)  # fmt: skip
    assert code == 2 and "unknown sample" in out
    code, out = run("identify", "screen", "--case", team.case)
    assert code == 2 and "no frequency database" in out


def test_familias_import_stores_the_family_and_its_database(run: Run, team: Team, tmp_path: Path) -> None:
    from tests.identify.test_formats import FAM

    path = tmp_path / "case.fam"
    path.write_text(FAM)
    code, out = run("--as", team.investigator, "identify", "import", "--case", team.case, "--familias", str(path),
                    "--family", "FAM7", "--missing", "CH", "--db-name", "test db", "--json")  # fmt: skip
    assert code == 0, out
    assert json.loads(out) == {"familias": {"family": "FAM7", "references": 1}}
    code, out = run("identify", "joint", "FAM7", "--case", team.case, "--json")
    assert code == 0, out
    (only,) = json.loads(out)["assignments"]  # no remains in the case: only the null assignment
    assert (only["assignment"], only["log10_lr"], only["posterior"]) == ({"CH": None}, 0.0, 1.0)


def test_am_pm_and_sample_commands_record_the_forms(run: Run, team: Team, tmp_path: Path) -> None:
    am = tmp_path / "am.json"
    desc = {"sex": "male", "age_min": 30}
    am.write_text(json.dumps({"missing_person": "MP1", "family_id": "FAM1", "consent_scope": "identification",
                              "last_seen_date": "2022-03-20", "descriptors": desc}))  # fmt: skip
    pm = tmp_path / "pm.json"
    pm.write_text(json.dumps({"recovery_site": "Izium forest", "grave": "G-1", "body_number": "17",
                              "lat": 49.2, "lon": 37.3, "descriptors": {"sex": "male"}}))  # fmt: skip
    code, out = run("--as", team.investigator, "identify", "am", "--case", team.case, str(am))
    assert (code, out.strip()) == (0, f"{team.case}-AM-0001")
    code, out = run("--as", team.investigator, "identify", "pm", "--case", team.case, str(pm))
    assert (code, out.strip()) == (0, f"{team.case}-PM-0001")
    code, out = run("--as", team.investigator, "identify", "sample", "--case", team.case, "PM-S-1",
                    "--kind", "remains", "--pm", f"{team.case}-PM-0001")  # fmt: skip
    assert code == 0, out
    code, out = run("item", "show", f"{team.case}-0002", "--json")
    assert json.loads(out)["title"] == "DNA sample PM-S-1"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"missing_person": "MP2", "consent_scope": "x", "name": "Ivan"}))
    code, out = run("--as", team.investigator, "identify", "am", "--case", team.case, str(bad))
    assert code == 2 and "unknown field" in out and "Ivan" not in out
