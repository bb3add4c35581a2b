"""Witnesses over real HTTP (uvicorn on loopback): cosigning, quorum, split views and inconsistent proofs."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest

from hague.core import Hague
from hague.errors import Conflict, NotFound
from hague.ledger.checkpoint import Checkpoint, open_checkpoint
from hague.ledger.checkpoints import create_checkpoint, latest_final_checkpoint, present_checkpoint
from hague.ledger.keys import load_signer, trusted_keys
from hague.ledger.note import Note, b64, parse_verifier_key
from hague.ledger.witness_client import add_checkpoint_body, add_witness, request_cosignatures
from hague.ledger.witness_server import WitnessState
from tests.ledger.conftest import Populated
from tests.ledger.servers import witness_server


def _log_keys(hague: Hague) -> dict[str, list]:  # type: ignore[type-arg]
    with hague.reader() as session:
        return {hague.settings.log_origin: trusted_keys(session)}


def test_two_witnesses_cosign_and_the_checkpoint_becomes_final(
    hague: Hague, populated: Populated, tmp_path: Path
) -> None:
    hague.settings.witness_quorum = 2
    with (
        witness_server(tmp_path / "w1.sqlite3", "w1.example/witness", _log_keys(hague)) as (url1, s1),
        witness_server(tmp_path / "w2.sqlite3", "w2.example/witness", _log_keys(hague)) as (url2, s2),
    ):
        add_witness(hague, s1.name, s1.verifier.to_text(), url1)
        with pytest.raises(Conflict):
            present_checkpoint(hague, final=True)
        first = create_checkpoint(hague, force=True)
        assert request_cosignatures(hague, first.id) == [s1.name]
        with pytest.raises(NotFound):
            latest_final_checkpoint(hague)
        add_witness(hague, s2.name, s2.verifier.to_text(), url2)
        populate_more(hague)
        second = create_checkpoint(hague)
        assert request_cosignatures(hague, second.id) == [s1.name, s2.name]  # w1 gets a consistency proof
    final = latest_final_checkpoint(hague)
    with hague.reader() as session:
        keys = trusted_keys(session)
    verified = open_checkpoint(final, keys, witness_keys=[s1.verifier, s2.verifier], quorum=2)
    assert verified.checkpoint.size == second.size


def populate_more(hague: Hague) -> None:
    from hague.evidence import register

    with hague.unit() as unit:
        register.add_item(unit, "UKR-OTP-0001", register.ItemInput(kind="document", title="Later item"))


def _signed(hague: Hague, size: int, root: bytes) -> str:
    text = Checkpoint(hague.settings.log_origin, size, root).to_text()
    return Note(text, (load_signer(hague).sign(text),)).to_text()


def test_a_split_view_is_refused_with_409_and_recorded_as_evidence(
    hague: Hague, populated: Populated, tmp_path: Path
) -> None:
    state = tmp_path / "w.sqlite3"
    with witness_server(state, "w.example/witness", _log_keys(hague)) as (url, signer):
        add_witness(hague, signer.name, signer.verifier.to_text(), url)
        row = create_checkpoint(hague, force=True)
        assert request_cosignatures(hague, row.id) == [signer.name]
        forged = _signed(hague, row.size, b"\x42" * 32)
        response = httpx.post(f"{url}/add-checkpoint", content=add_checkpoint_body(row.size, [], forged))
        assert response.status_code == 409
        evidence = httpx.get(f"{url}/evidence").json()
    assert [e["kind"] for e in evidence] == ["split view"]
    assert evidence[0]["known_note"] == row.note
    assert WitnessState(state).evidence()[0]["request"].endswith(forged)


def test_an_inconsistent_proof_is_refused_with_422_and_recorded(
    hague: Hague, populated: Populated, tmp_path: Path
) -> None:
    with witness_server(tmp_path / "w.sqlite3", "w.example/witness", _log_keys(hague)) as (url, signer):
        add_witness(hague, signer.name, signer.verifier.to_text(), url)
        row = create_checkpoint(hague, force=True)
        request_cosignatures(hague, row.id)
        forked = _signed(hague, row.size + 3, b"\x13" * 32)
        bogus = [b"\x01" * 32] * 3
        response = httpx.post(f"{url}/add-checkpoint", content=add_checkpoint_body(row.size, bogus, forked))
        assert response.status_code == 422
        assert [e["kind"] for e in httpx.get(f"{url}/evidence").json()] == ["inconsistent"]


def test_the_witness_answers_409_with_its_size_when_old_size_is_stale(
    hague: Hague, populated: Populated, tmp_path: Path
) -> None:
    with witness_server(tmp_path / "w.sqlite3", "w.example/witness", _log_keys(hague)) as (url, signer):
        add_witness(hague, signer.name, signer.verifier.to_text(), url)
        row = create_checkpoint(hague, force=True)
        request_cosignatures(hague, row.id)
        response = httpx.post(f"{url}/add-checkpoint", content=add_checkpoint_body(0, [], row.note))
        assert response.status_code == 409
        assert response.headers["content-type"].startswith("text/x.tlog.size")
        assert response.text == f"{row.size}\n"


def _bad_signature(note: str) -> str:
    """The note with one bit of its signature flipped; the key ID is kept, so the witness checks the signature.
    (Replacing a base64 character by a fixed one left the note unchanged once in 64 runs.)"""
    head, _, line = note.rstrip("\n").rpartition("\n")
    prefix, _, signature = line.rpartition(" ")
    raw = bytearray(base64.b64decode(signature))
    raw[10] ^= 0x01  # bytes 0-3 are the key ID, 4-67 the Ed25519 signature
    return f"{head}\n{prefix} {base64.b64encode(bytes(raw)).decode()}\n"


@pytest.mark.parametrize(
    ("mutate", "status"),
    [
        (lambda note: note.replace("hague.example/log\n", "unknown.example/log\n", 1), 404),
        (_bad_signature, 403),
        (lambda note: "not a checkpoint", 400),
    ],
)
def test_the_witness_refuses_unknown_logs_bad_signatures_and_garbage(
    hague: Hague, populated: Populated, tmp_path: Path, mutate: object, status: int
) -> None:
    with witness_server(tmp_path / "w.sqlite3", "w.example/witness", _log_keys(hague)) as (url, _):
        with hague.reader() as session:
            from hague.ledger.checkpoints import get_checkpoint

            note = get_checkpoint(session).note
        body = add_checkpoint_body(0, [], mutate(note))  # type: ignore[operator]
        assert httpx.post(f"{url}/add-checkpoint", content=body).status_code == status


def test_a_witness_key_must_be_a_cosignature_key(hague: Hague, populated: Populated) -> None:
    from hague.errors import ValidationError

    with hague.reader() as session:
        log_vkey = trusted_keys(session)[0].to_text()
    with pytest.raises(ValidationError):
        add_witness(hague, parse_verifier_key(log_vkey).name, log_vkey, "http://127.0.0.1:1")
    assert b64(b"") == ""


@pytest.mark.slow  # two CLI processes importing every area
def test_hague_witness_serve_cosigns_over_http(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    from hague.ledger.note import ALG_ED25519, Signer, parse_note, verify_note
    from tests.support.s3 import free_port

    log = Signer.generate("log.example/test", ALG_ED25519)
    hague_cli = [sys.executable, "-m", "hague.cli.main"]
    key_file = tmp_path / "witness.key"
    made = subprocess.run(
        [*hague_cli, "log-witness", "keygen", "w.example/cli", str(key_file)], capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    witness_key = parse_verifier_key(made.stdout.strip())
    port = free_port()
    server = subprocess.Popen(
        [
            *hague_cli,
            "log-witness",
            "serve",
            "--key-file",
            str(key_file),
            "--log-key",
            log.verifier.to_text(),
            "--state",
            str(tmp_path / "w.sqlite3"),
            "--port",
            str(port),
        ]
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                httpx.get(f"{url}/key")
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        text = Checkpoint("log.example/test", 3, b"\x05" * 32).to_text()
        note = Note(text, (log.sign(text),)).to_text()
        response = httpx.post(f"{url}/add-checkpoint", content=add_checkpoint_body(0, [], note))
        assert response.status_code == 200, response.text
        cosigned = parse_note(note + response.text)
        assert verify_note(cosigned, [witness_key])[witness_key.to_text()] is not None
    finally:
        server.terminate()
        server.wait(10)
