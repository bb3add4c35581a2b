"""Signing keys, checkpoints, proof bundles, RFC 3161 timestamps (loopback TSA) and the CLI."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from hague.cli.main import app
from hague.core import Hague
from hague.errors import Conflict, VerificationError
from hague.ledger.checkpoint import open_checkpoint
from hague.ledger.checkpoints import check_timestamp, create_checkpoint, get_checkpoint, run_schedule
from hague.ledger.fsck import verify
from hague.ledger.keys import generate_key, keys_dir, rotate_key, trusted_keys
from hague.ledger.log import log_size
from hague.ledger.note import parse_note, parse_verifier_key, verify_note
from hague.ledger.proofs import consistency_json, inclusion_bundle
from hague.ledger.verify_offline import ProofBundle, verify_bundle
from hague.settings import Settings
from tests.ledger.conftest import Populated, populate
from tests.ledger.servers import make_tsa_pki, tsa_server


def test_the_private_key_file_is_0600_and_named_by_key_id(hague: Hague, populated: Populated) -> None:
    with hague.reader() as session:
        (key,) = trusted_keys(session)
    path = keys_dir(hague) / f"log-{key.key_id.hex()}.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key.name == hague.settings.log_origin


def test_generating_a_second_key_is_refused(hague: Hague, populated: Populated) -> None:
    with pytest.raises(Conflict):
        generate_key(hague)


def test_rotation_hands_over_with_both_signatures_and_is_logged(hague: Hague, populated: Populated) -> None:
    first = create_checkpoint(hague)
    new, statement = rotate_key(hague)
    with hague.reader() as session:
        old, current = trusted_keys(session)
        kinds = [k for (k,) in session.execute(text("SELECT kind FROM log_entries ORDER BY seq"))]
    assert current == new
    assert set(verify_note(parse_note(statement), [old, new])) == {old.to_text(), new.to_text()}
    assert kinds[-1] == "log.key_rotated"
    second = create_checkpoint(hague)
    assert second.key_id == new.key_id.hex()
    open_checkpoint(first.note, [old, new])  # the old checkpoint stays verifiable
    assert verify(hague, blobs=False).ok


def test_a_checkpoint_is_reused_while_the_log_does_not_grow(hague: Hague, populated: Populated) -> None:
    first = create_checkpoint(hague)
    assert create_checkpoint(hague).id == first.id
    with hague.reader() as session:
        assert first.size == log_size(session)


def test_an_inclusion_bundle_verifies_offline_for_every_entry(hague: Hague, populated: Populated) -> None:
    with hague.reader() as session:
        keys = trusted_keys(session)
        size = get_checkpoint(session).size
    for index in range(size):
        verified = verify_bundle(
            ProofBundle.from_json(inclusion_bundle(hague, index).to_json()), keys, origin=hague.settings.log_origin
        )
        assert verified.index == index


def test_a_consistency_proof_between_checkpoints_verifies(hague: Hague, populated: Populated) -> None:
    from hague.ledger.note import b64decode
    from hague.ledger.verify_offline import verify_consistency

    old = get_checkpoint_size(hague)
    populate_extra(hague)
    new = create_checkpoint(hague).size
    data = consistency_json(hague, old, new)
    verify_consistency(
        old,
        new,
        b64decode(data["old_root"], "t"),
        b64decode(data["new_root"], "t"),
        [b64decode(h, "t") for h in data["proof"]],
    )


def get_checkpoint_size(hague: Hague) -> int:
    with hague.reader() as session:
        return get_checkpoint(session).size


def populate_extra(hague: Hague) -> None:
    from hague.evidence import register

    with hague.unit() as unit:
        register.add_item(unit, "UKR-OTP-0001", register.ItemInput(kind="physical", title="Shell fragment"))


def test_the_schedule_checkpoints_only_when_the_log_grew(hague: Hague, populated: Populated) -> None:
    from datetime import timedelta

    first = run_schedule(hague, every=timedelta(0))
    assert not first.created
    populate_extra(hague)
    second = run_schedule(hague, every=timedelta(0))
    assert second.created and second.size == first.size + 1


@pytest.fixture(scope="module")
def tsa_pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tsa_pki(tmp_path_factory.mktemp("tsa"))


def test_checkpoints_are_timestamped_by_the_configured_tsa(tmp_path: Path, tsa_pki: Path) -> None:
    with tsa_server(tsa_pki) as url:
        settings = Settings(data_dir=tmp_path / "d", tsa_url=url, tsa_certificate=tsa_pki / "tsa.pem")
        hague = Hague.open(settings)
        try:
            populate(hague, items=1)
            generate_key(hague)
            row = create_checkpoint(hague)
            with hague.reader() as session:
                row = get_checkpoint(session, row.id)
            assert row.tsa_token
            check_timestamp(hague, row)
            assert verify(hague).ok
            row.note = row.note.replace("\n", "\n\n", 1)
            with pytest.raises(VerificationError):
                check_timestamp(hague, row)
        finally:
            hague.close()


def test_cli_keys_checkpoint_proof_and_verify_proof(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"HAGUE_DATA_DIR": str(tmp_path / "data")}
    hague = Hague.open(Settings(data_dir=tmp_path / "data"))
    populate(hague, items=1)
    hague.close()
    result = runner.invoke(app, ["keys", "generate"], env=env)
    assert result.exit_code == 0, result.output
    vkey = tmp_path / "log.vkey"
    vkey.write_text(runner.invoke(app, ["keys", "show"], env=env).output)
    printed = runner.invoke(app, ["checkpoint"], env=env)
    assert printed.exit_code == 0
    open_checkpoint(printed.output, [parse_verifier_key(vkey.read_text())])  # printed verbatim, not wrapped
    bundle = tmp_path / "bundle.json"
    assert runner.invoke(app, ["proof", "inclusion", "2", "-o", str(bundle)], env=env).exit_code == 0
    ok = runner.invoke(app, ["verify-proof", str(bundle), "--key", str(vkey)])
    assert ok.exit_code == 0 and "VERIFIED" in ok.output
    data = json.loads(bundle.read_text())
    data["index"] = 3
    bundle.write_text(json.dumps(data))
    bad = runner.invoke(app, ["verify-proof", str(bundle), "--key", str(vkey)])
    assert bad.exit_code == 2
    report = runner.invoke(app, ["verify", "--json"], env=env)
    assert report.exit_code == 0, report.output
    assert json.loads(report.output)["status"] == "ok"
