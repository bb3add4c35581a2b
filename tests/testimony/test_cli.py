"""The testimony CLI: each command is one library call; errors exit 2 with a message naming no identity."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from hague.cli.common import State
from hague.core import Hague
from hague.testimony.vault import Vault
from tests.testimony.conftest import IDENTITY, PARTNER, cli_app, interview_data


@pytest.fixture
def cli(hague: Hague, vault: Vault, case: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run `hague ...` against the test instance; returns a function taking the acting user and arguments."""
    monkeypatch.setenv("HAGUE_DATA_DIR", str(hague.settings.data_dir))
    monkeypatch.setenv("HAGUE_DATABASE_URL", hague.settings.resolved_database_url)
    monkeypatch.setenv("HAGUE_MASTER_KEY", vault.master.encode())
    runner = CliRunner()

    def run(actor: str, *args: str) -> Result:
        try:
            return runner.invoke(cli_app(), ["--as", actor, *args])
        finally:
            State.actor = None

    return run


def _json_file(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_witness_interview_redact_and_pprl_round_trip(cli, case: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    added = cli(
        "investigator-user", "witness", "add", case, "--identity", _json_file(tmp_path, "id.json", IDENTITY), "--json"
    )
    assert added.exit_code == 0, added.output
    pseudonym = json.loads(added.output)["pseudonym"]
    assert pseudonym == "UKR-OTP-P-0001"

    listed = cli("viewer-user", "witness", "list", case, "--json")
    assert [r["pseudonym"] for r in json.loads(listed.output)] == [pseudonym]

    record = _json_file(tmp_path, "interview.json", interview_data())
    interview = cli("investigator-user", "interview", "add", pseudonym, "--record", record)
    assert interview.exit_code == 0, interview.output
    ern = interview.output.strip()
    assert json.loads(cli("viewer-user", "interview", "list", pseudonym, "--json").output)[0]["ern"] == ern

    transcript = tmp_path / "t.txt"
    transcript.write_text("Свідок Оксана Гордієнко бачила обстріл.\n", encoding="utf-8")
    attached = cli("investigator-user", "interview", "attach", ern, str(transcript), "--role", "transcript")
    sha = attached.output.split()[0]
    spec = _json_file(
        tmp_path, "spec.json", [{"text": "Оксана Гордієнко", "category": "A.1", "justification": "witness name"}]
    )
    red = cli("case_lead-user", "redact", ern, "--source", sha, "--spec", spec, "--decision", "ICC-01/22-9")
    assert red.exit_code == 0 and f"{ern}-Red: 1 redactions" in red.output, red.output

    secret = tmp_path / "secret"
    secret.write_bytes(b"shared-with-the-partner-0123")
    out = tmp_path / "encodings.json"
    exported = cli(
        "wpo-user", "pprl", "export", case, "--partner", PARTNER, "--secret-file", str(secret), "--out", str(out)
    )
    assert exported.exit_code == 0 and "1 encodings" in exported.output
    matched = cli("case_lead-user", "pprl", "match", case, str(out), "--secret-file", str(secret), "--json")
    assert [(r["pseudonym"], r["partner"]) for r in json.loads(matched.output)] == [(pseudonym, "OTP")]

    revealed = cli("wpo-user", "witness", "reveal", pseudonym, "--reason", "relocation assessment")
    assert json.loads(revealed.output)["family_name"] == IDENTITY["family_name"]


def test_refused_reveal_exits_2_without_identity(cli, witness: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("analyst-user", "witness", "reveal", witness, "--reason", "I am curious about this")
    assert result.exit_code == 2 and "needs one of the roles" in result.output
    assert IDENTITY["family_name"] not in result.output


def test_interview_without_consent_lists_what_is_missing(cli, witness: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = interview_data()
    del data["consent"]
    result = cli("investigator-user", "interview", "add", witness, "--record", _json_file(tmp_path, "i.json", data))
    assert result.exit_code == 2 and "consent.given" in result.output


def test_withdraw_prints_what_it_triggered(cli, interview_ern: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("wpo-user", "interview", "withdraw", interview_ern, "--scope", "partner", "--org", PARTNER)
    assert result.exit_code == 0 and "excluded from later exports to PGO" in result.output


def test_vault_init_writes_an_owner_only_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAGUE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HAGUE_MASTER_KEY", raising=False)
    result = CliRunner().invoke(cli_app(), ["vault", "init"])
    key = tmp_path / "vault" / "master.key"
    assert result.exit_code == 0 and stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert CliRunner().invoke(cli_app(), ["vault", "init"]).exit_code == 2


def test_vault_rotate_rewraps_under_the_new_key(cli, witness: str, tmp_path: Path, hague: Hague) -> None:  # type: ignore[no-untyped-def]
    from hague.testimony.vault import MasterKey, Vault
    from hague.testimony.witnesses import get_witness

    new = MasterKey.generate()
    key_file = tmp_path / "new.key"
    key_file.write_text(new.encode())
    result = cli("admin-user", "vault", "rotate", "--new-key-file", str(key_file))
    assert result.exit_code == 0 and new.key_id in result.output
    with hague.reader() as session:
        assert Vault(new).open(session, get_witness(session, witness)).family_name == IDENTITY["family_name"]
