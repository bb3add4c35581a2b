"""`hague custody`, `hague workflow` and `hague forensic`: each command is one library call, errors are one line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hague.cli.main import app
from hague.settings import Settings
from tests.custody.generator import SOP

Run = Callable[..., tuple[int, str]]


@pytest.fixture
def run(settings: Settings) -> Run:
    runner = CliRunner()
    env = {"HAGUE_DATA_DIR": str(settings.data_dir), "HAGUE_DATABASE_URL": settings.resolved_database_url}

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, list(args), env=env)
        return result.exit_code, result.output

    for command in (
        ("org", "create", "OTP", "Office of the Prosecutor"),
        ("case", "create", "Attacks", "--org", "OTP", "--situation", "UKR"),
        ("user", "add", "alice", "Alice Kovalenko", "--org", "OTP"),
        ("user", "add", "bob", "Bob Martens", "--org", "OTP"),
        ("role", "grant", "UKR-OTP-0001", "alice", "custodian"),
        ("role", "grant", "UKR-OTP-0001", "bob", "custodian"),
        ("item", "add", "UKR-OTP-0001", "Tail of a rocket", "--collected-at", "2026-03-01T09:00:00+02:00"),
    ):
        code, out = invoke(*command)
        assert code == 0, out
    return invoke


ERN = "UKR-OTP-0001-0001"


def custody_trail(run: Run) -> None:
    for who, args in (
        ("alice", ("collected", "--at", "2026-03-01T10:00:00+02:00", "--tz", "Europe/Kyiv", "--place", "Kharkiv")),
        ("alice", ("sealed", "--at", "2026-03-01T10:30:00+02:00", "--seal", "K-100", "--seal", "K-101")),
        ("alice", ("transferred", "--at", "2026-03-01T11:00:00+02:00", "--receiver", "bob", "--reason", "store")),
        ("bob", ("received", "--at", "2026-03-01T13:00:00+02:00", "--seal", "K-100", "--seal", "K-101")),
    ):
        code, out = run("--as", who, "custody", "record", ERN, *args)
        assert code == 0, out


def test_record_show_and_report(run: Run, tmp_path: Path) -> None:
    custody_trail(run)
    code, out = run("custody", "show", ERN, "--json")
    assert code == 0 and [e["event"] for e in json.loads(out)] == ["collected", "sealed", "transferred", "received"]
    code, out = run("custody", "report", ERN, "--out", str(tmp_path / "c.pdf"))
    assert code == 0 and (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")
    code, out = run("custody", "labels", ERN, "--out", str(tmp_path / "l.pdf"))
    assert code == 0 and (tmp_path / "l.pdf").read_bytes().startswith(b"%PDF")
    assert run("custody", "anomalies", "--item", ERN)[0] == 0


def test_a_broken_rule_is_one_clear_line_and_exit_code_2(run: Run) -> None:
    custody_trail(run)
    code, out = run("--as", "alice", "custody", "record", ERN, "stored", "--facility", "Vault")
    assert code == 2 and "bob is the custodian of UKR-OTP-0001-0001" in out and "Traceback" not in out


def test_workflow_sop_check_and_map(run: Run, tmp_path: Path) -> None:
    custody_trail(run)
    (tmp_path / "sop.yaml").write_text(SOP)
    assert run("--as", "alice", "workflow", "sop", "OTP", str(tmp_path / "sop.yaml"))[0] == 0
    code, out = run("workflow", "check", "--case", "UKR-OTP-0001", "--json")
    assert code == 0 and json.loads(out)["conforming"] == 1
    code, out = run(
        "workflow", "map", "--org", "OTP", "--svg", str(tmp_path / "m.svg"), "--json-out", str(tmp_path / "m.json")
    )
    assert code == 0 and json.loads((tmp_path / "m.json").read_text())["events"] == 4
    assert (tmp_path / "m.svg").read_text().startswith("<svg")


def test_forensic_record_and_links(run: Run, tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff photo with scale")
    data = json.dumps({"recovery_context": "crater", "munition_type": "9M55K", "weapon_system": "BM-30"})
    code, out = run(
        "--as", "alice", "forensic", "record", ERN, "munition_remnant", "--data", data, "--photo", str(photo)
    )
    assert code == 0, out
    code, out = run("forensic", "show", ERN)
    assert code == 0 and json.loads(out)["data"]["munition_type"] == "9M55K"
    code, out = run("forensic", "links", "UKR-OTP-0001", "--json")
    assert code == 0 and json.loads(out) == []


def test_import_a_police_log_then_anomalies_exit_1(run: Run, tmp_path: Path) -> None:
    log = tmp_path / "police.csv"
    log.write_text(
        "ern,event_type,occurred_at,tz,actor,seal_numbers,seal_state,source_ref\n"
        f"{ERN},collected,2026-03-01T10:00:00+02:00,Europe/Kyiv,alice,,,UNP-1\n"
        f"{ERN},sealed,2026-03-01T10:20:00+02:00,Europe/Kyiv,alice,P-1,broken,UNP-2\n"
    )
    code, out = run("custody", "import", "UKR-OTP-0001", str(log))
    assert code == 0 and "2 custody events imported" in out
    code, out = run("custody", "anomalies", "--case", "UKR-OTP-0001", "--json")
    assert code == 1 and [a["kind"] for a in json.loads(out)] == ["seal_broken"]
