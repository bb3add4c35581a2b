"""C2SP signed-note, tlog-checkpoint and tlog-cosignature: round trips both ways and named attack fixtures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hague.errors import VerificationError
from hague.ledger.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint
from hague.ledger.note import (
    ALG_COSIGNATURE_V1,
    Note,
    Signer,
    key_id,
    parse_note,
    parse_signer,
    parse_verifier_key,
    verify_note,
)
from hague.ledger.verify_offline import ProofBundle, verify_bundle, verify_consistency

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The example key and note of golang.org/x/mod/sumdb/note (the reference implementation).
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_SIG = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


LOG_KEY = parse_verifier_key(fixture("log.vkey"))
WITNESS_KEY = parse_verifier_key(fixture("witness.vkey"))


def test_signing_reproduces_the_go_reference_note_byte_for_byte() -> None:
    signer = parse_signer(GO_SKEY)
    assert signer.verifier.to_text() == GO_VKEY
    assert Note(GO_TEXT, (signer.sign(GO_TEXT),)).to_text() == GO_TEXT + "\n" + GO_SIG


def test_the_go_reference_note_verifies_and_reserialises_identically() -> None:
    note = parse_note(GO_TEXT + "\n" + GO_SIG)
    assert note.to_text() == GO_TEXT + "\n" + GO_SIG
    assert list(verify_note(note, [parse_verifier_key(GO_VKEY)])) == [GO_VKEY]


def test_key_id_is_sha256_of_name_newline_type_and_key() -> None:
    key = parse_verifier_key(GO_VKEY)
    assert key_id("PeterNeumann", 1, key.public_key).hex() == "c74f20a3"


@given(
    origin=st.from_regex(r"[a-z][a-z0-9.\-/]{0,40}", fullmatch=True),
    size=st.integers(0, 2**63 - 1),
    root=st.binary(min_size=32, max_size=32),
    ext=st.lists(st.from_regex(r"[ -~]{1,30}", fullmatch=True), max_size=3),
)
def test_checkpoint_text_and_object_round_trip(origin: str, size: int, root: bytes, ext: list[str]) -> None:
    checkpoint = Checkpoint(origin, size, root, tuple(ext))
    text = checkpoint.to_text()
    assert parse_checkpoint(text) == checkpoint
    assert parse_checkpoint(text).to_text() == text


@given(timestamp=st.integers(1, 2**63 - 1), size=st.integers(0, 10**9))
def test_cosignature_line_and_object_round_trip(timestamp: int, size: int) -> None:
    witness = Signer.generate("witness.example/w", ALG_COSIGNATURE_V1)
    text = Checkpoint("log.example", size, b"\x07" * 32).to_text()
    sig = witness.sign(text, timestamp)
    parsed = parse_note(text + "\n" + sig.line()).signatures[0]
    assert parsed == sig
    assert parsed.timestamp == timestamp
    assert verify_note(Note(text, (parsed,)), [witness.verifier]) == {witness.verifier.to_text(): timestamp}


def test_a_cosigned_fixture_checkpoint_meets_a_quorum_of_one() -> None:
    verified = open_checkpoint(
        fixture("checkpoint_cosigned.txt"), [LOG_KEY], origin="hague.test/log", witness_keys=[WITNESS_KEY], quorum=1
    )
    assert verified.cosigned_by == {WITNESS_KEY.to_text(): 1_700_000_000}


def test_an_uncosigned_checkpoint_fails_the_quorum() -> None:
    with pytest.raises(VerificationError) as err:
        open_checkpoint(fixture("checkpoint_valid.txt"), [LOG_KEY], witness_keys=[WITNESS_KEY], quorum=1)
    assert err.value.details["step"] == "cosignature quorum"


def test_forged_signature_fixture_is_refused() -> None:
    with pytest.raises(VerificationError) as err:
        open_checkpoint(fixture("forged_signature.txt"), [LOG_KEY])
    assert err.value.details["step"] == "note signature"


def test_wrong_origin_fixture_signed_by_another_key_is_refused() -> None:
    with pytest.raises(VerificationError) as err:
        open_checkpoint(fixture("wrong_origin.txt"), [LOG_KEY], origin="hague.test/log")
    assert err.value.details["step"] == "checkpoint signature"


def test_wrong_origin_fixture_signed_by_our_key_is_refused() -> None:
    with pytest.raises(VerificationError) as err:
        open_checkpoint(fixture("wrong_origin_same_key.txt"), [LOG_KEY], origin="hague.test/log")
    assert err.value.details["step"] == "checkpoint origin"
    assert err.value.details["computed"] == "other.test/log"


def test_truncated_note_fixture_is_refused() -> None:
    with pytest.raises(VerificationError) as err:
        open_checkpoint(fixture("truncated_note.txt"), [LOG_KEY])
    assert err.value.details["step"] in {"note format", "note signature"}


def test_size_regression_fixture_is_refused() -> None:
    old = open_checkpoint(fixture("size_regression_old.txt"), [LOG_KEY]).checkpoint
    new = open_checkpoint(fixture("size_regression_new.txt"), [LOG_KEY]).checkpoint
    with pytest.raises(VerificationError) as err:
        verify_consistency(old.size, new.size, old.root, new.root, [])
    assert err.value.details["step"] == "size regression"


def test_split_view_fixture_is_refused() -> None:
    a = open_checkpoint(fixture("split_view_a.txt"), [LOG_KEY]).checkpoint
    b = open_checkpoint(fixture("split_view_b.txt"), [LOG_KEY]).checkpoint
    with pytest.raises(VerificationError) as err:
        verify_consistency(a.size, b.size, a.root, b.root, [])
    assert err.value.details["step"] == "split view"
    assert err.value.details["expected"] == a.root.hex()


def test_valid_bundle_fixture_verifies() -> None:
    verified = verify_bundle(ProofBundle.from_json(fixture("bundle_valid.json")), [LOG_KEY], origin="hague.test/log")
    assert verified.fields() == {"n": 3, "type": "test.entry", "v": 1}


def test_bundle_round_trips_through_json() -> None:
    bundle = ProofBundle.from_json(fixture("bundle_valid.json"))
    assert ProofBundle.from_json(bundle.to_json()) == bundle
    assert json.loads(bundle.to_json()) == json.loads(fixture("bundle_valid.json"))


def test_proof_of_wrong_length_fixture_is_refused() -> None:
    with pytest.raises(VerificationError) as err:
        verify_bundle(ProofBundle.from_json(fixture("bundle_proof_wrong_length.json")), [LOG_KEY])
    assert err.value.details["step"] == "inclusion proof length"
    assert (err.value.details["expected"], err.value.details["computed"]) == (4, 5)


def test_forged_entry_fixture_reports_expected_and_computed_roots() -> None:
    with pytest.raises(VerificationError) as err:
        verify_bundle(ProofBundle.from_json(fixture("bundle_forged_entry.json")), [LOG_KEY])
    assert err.value.details["step"] == "inclusion root"
    assert err.value.details["expected"] != err.value.details["computed"]


def test_consistency_fixture_verifies_between_signed_roots() -> None:
    data = json.loads(fixture("consistency_6_8.json"))
    old = parse_checkpoint(parse_note(fixture("size_regression_new.txt")).text)
    new = parse_checkpoint(parse_note(fixture("size_regression_old.txt")).text)
    verify_consistency(6, 8, old.root, new.root, [bytes.fromhex(h) for h in data["proof"]])


@pytest.mark.parametrize(
    "text",
    [
        "no signatures\n",
        "text\n\n— name\n",
        "text\n\n— name not*base64\n",
        "text\n\n- name AAAAAAAA\n",
        "text\r\n\n— name AAAAAAAA\n",
        "text\n\n— name AAAAAAAA",
    ],
)
def test_malformed_notes_fail_closed_with_a_verification_error(text: str) -> None:
    with pytest.raises(VerificationError):
        parse_note(text)


@pytest.mark.parametrize(
    "text", ["origin\n", "origin\n01\nAAAA\n", "origin\n5\nnot base64!\n", "origin\n5\nAAAA\n", "\n5\nAAAA\n"]
)
def test_malformed_checkpoints_fail_closed(text: str) -> None:
    with pytest.raises(VerificationError):
        parse_checkpoint(text)


def test_the_offline_verifier_imports_without_sqlalchemy() -> None:
    code = (
        "import sys, hague.ledger.verify_offline as v; "
        "assert not any(m.startswith(('sqlalchemy', 'fastapi', 'pydantic')) for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'fastapi', 'pydantic')))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
