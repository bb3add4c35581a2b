"""Tampered bundles: every change is detected and the verdict names the item and the step.

Each attack is applied twice: naively (the BagIt manifests catch it) and by an attacker who recomputes
the manifests (`rebag`), so the log proofs, record hashes and signatures must catch it instead.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.bundle.conftest import (
    RECEIVER_ORIGIN,
    SENDER_ORIGIN,
    Sender,
    copy_bag,
    populate_sender,
    prepare_receiver,
    rebag,
    vkeys,
)
from tests.ledger.servers import witness_server
from tests.support.databases import SqliteFactory
from typer.testing import CliRunner

from hague.bundle import layout
from hague.bundle.collect import Selection
from hague.bundle.create import create_bundle
from hague.bundle.receive import import_bundle
from hague.bundle.verify import Trust, Verdict, parse_trust, verify_bag, verify_path
from hague.core import Hague
from hague.errors import VerificationError
from hague.evidence.models import Item
from hague.ledger.keys import generate_key
from hague.ledger.note import parse_verifier_key
from hague.ledger.witness_client import add_witness
from hague.settings import Settings


@dataclass
class Made:
    """A verified bundle of the sender, the keys to check it with, and the items in it."""

    path: Path
    trust: Trust
    data: Sender
    sender: Hague


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, sqlite_factory: SqliteFactory) -> Iterator[Made]:
    """One witnessed bundle (SQLite sender), made once for every attack of this module."""
    folder = tmp_path_factory.mktemp("sender")
    url = sqlite_factory.new(folder)
    hague = Hague(Settings(data_dir=folder / "data", database_url=url, log_origin=SENDER_ORIGIN))
    hague.settings.data_dir.mkdir(parents=True, exist_ok=True)
    data = populate_sender(hague)
    generate_key(hague)
    logs = {SENDER_ORIGIN: [parse_verifier_key(k) for k in vkeys(hague)], RECEIVER_ORIGIN: []}
    with witness_server(folder / "witness.sqlite3", "witness.example/w", logs) as (wurl, signer):
        add_witness(hague, signer.name, signer.verifier.to_text(), wurl)
        hague.settings.witness_quorum = 1
        erns = (*data.digital, data.physical, data.testimony)
        created = create_bundle(
            hague, Selection(data.case, erns, recipient="PGO"), folder / "bundle", "lead", pdf=False
        )
    trust = parse_trust([*vkeys(hague), signer.verifier.to_text()])
    assert verify_bag(created.path, trust).ok
    yield Made(created.path, trust, data, hague)
    hague.close()


def _meta(root: Path) -> dict[str, object]:
    value: dict[str, object] = json.loads((root / "data" / layout.METADATA_JSON).read_text())
    return value


def _item(root: Path, ern: str) -> dict[str, object]:
    items = _meta(root)["items"]
    assert isinstance(items, list)
    return next(i for i in items if i["ern"] == ern)


def _first_file(root: Path, ern: str) -> Path:
    files = _item(root, ern)["files"]
    assert isinstance(files, list)
    return root / "data" / str(files[0]["path"])


def change_file_byte(root: Path, data: Sender) -> str:
    path = _first_file(root, data.digital[1])
    raw = bytearray(path.read_bytes())
    raw[5] ^= 0x01
    path.write_bytes(bytes(raw))
    return data.digital[1]


def change_metadata_value(root: Path, data: Sender) -> str:
    meta = _meta(root)
    items = meta["items"]
    assert isinstance(items, list)
    for item in items:
        if item["ern"] == data.digital[0]:
            item["title"] = item["record"]["title"] = "Photo 0, south wall"
    (root / "data" / layout.METADATA_JSON).write_text(json.dumps(meta))
    return data.digital[0]


def change_proof_node(root: Path, data: Sender) -> str:
    path = root / "data" / layout.ENTRIES_JSON
    doc = json.loads(path.read_text())
    for row in doc["entries"]:
        fields = json.loads(base64.b64decode(row["entry"]))
        if fields.get("ern") == data.physical and row["inclusion"]:
            node = bytearray(base64.b64decode(row["inclusion"][0]))
            node[0] ^= 0x80
            row["inclusion"][0] = base64.b64encode(bytes(node)).decode()
            break
    path.write_text(json.dumps(doc))
    return data.physical


def _edit_checkpoint(root: Path, edit: Callable[[list[str]], None]) -> None:
    path = root / "data" / layout.CHECKPOINT
    lines = path.read_text().split("\n")
    edit(lines)
    path.write_text("\n".join(lines))


def change_checkpoint(root: Path, data: Sender) -> str:
    def grow(lines: list[str]) -> None:
        lines[1] = str(int(lines[1]) + 1)

    _edit_checkpoint(root, grow)
    return "bundle"


def change_cosignature(root: Path, data: Sender) -> str:
    def flip(lines: list[str]) -> None:
        i = max(n for n, line in enumerate(lines) if line.startswith("\u2014 witness.example/w "))
        name, sig = lines[i].rsplit(" ", 1)
        raw = bytearray(base64.b64decode(sig))
        raw[-1] ^= 0x01
        lines[i] = f"{name} {base64.b64encode(bytes(raw)).decode()}"

    _edit_checkpoint(root, flip)
    return "bundle"


def drop_file(root: Path, data: Sender) -> str:
    _first_file(root, data.testimony).unlink()
    return data.testimony


def add_file(root: Path, data: Sender) -> str:
    (root / "data" / "files" / data.physical).mkdir(parents=True, exist_ok=True)
    (root / "data" / "files" / data.physical / "planted.jpg").write_bytes(b"planted evidence")
    return data.physical


ATTACKS: dict[str, tuple[Callable[[Path, Sender], str], str, str]] = {
    # name: (attack, step found without rebagging, step found after rebagging)
    "file byte": (change_file_byte, "manifest", "file hash"),
    "metadata value": (change_metadata_value, "manifest", "metadata record"),
    "proof node": (change_proof_node, "manifest", "inclusion"),
    "checkpoint": (change_checkpoint, "manifest", "checkpoint signature"),
    "cosignature": (change_cosignature, "manifest", "cosignature"),
    "dropped file": (drop_file, "bag completeness", "file missing"),
    "added file": (add_file, "bag completeness", "unexpected file"),
}


def _attacked(made: Made, tmp_path: Path, name: str, recompute: bool) -> tuple[Verdict, str]:
    attack = ATTACKS[name][0]
    root = copy_bag(made.path, tmp_path / "bag")
    subject = attack(root, made.data)
    if recompute:
        rebag(root)
    return verify_bag(root, made.trust), subject


@pytest.mark.parametrize("name", list(ATTACKS))
def test_a_naive_tamper_is_caught_by_the_bag_and_named(made: Made, tmp_path: Path, name: str) -> None:
    verdict, subject = _attacked(made, tmp_path, name, recompute=False)
    assert not verdict.ok
    step = ATTACKS[name][1]
    named = [f for f in verdict.failures() if f.step == step]
    assert named, verdict.lines()
    if step != "manifest" or name in ("file byte",):
        assert subject in {f.subject for f in named}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_a_tamper_with_recomputed_manifests_is_caught_by_the_proofs_and_named(
    made: Made, tmp_path: Path, name: str
) -> None:
    verdict, subject = _attacked(made, tmp_path, name, recompute=True)
    assert not verdict.ok
    assert not [f for f in verdict.failures() if f.step in ("manifest", "tag manifest", "bag completeness")]
    step = ATTACKS[name][2]
    assert (subject, step) in {(f.subject, f.step) for f in verdict.failures()}, verdict.lines()
    assert any(subject in line and step in line for line in verdict.lines()[1:]), verdict.lines()


def test_untouched_items_keep_their_verdict_when_another_is_tampered(made: Made, tmp_path: Path) -> None:
    verdict, subject = _attacked(made, tmp_path, "file byte", recompute=True)
    assert [e for e, fs in verdict.items.items() if fs] == [subject]


def test_a_checkpoint_without_the_trusted_witness_misses_the_quorum(made: Made) -> None:
    verdict = verify_bag(made.path, Trust(made.trust.log_keys, (), quorum=1))
    assert [f.step for f in verdict.bundle] == ["cosignature quorum"]


def test_a_bundle_from_an_untrusted_log_fails_at_the_checkpoint_signature(made: Made) -> None:
    verdict = verify_bag(made.path, Trust((), made.trust.witness_keys))
    assert "checkpoint signature" in {f.step for f in verdict.bundle}


def test_the_cli_exits_nonzero_and_names_the_item_and_the_step(made: Made, tmp_path: Path) -> None:
    from hague.cli.main import app

    root = copy_bag(made.path, tmp_path / "bag")
    subject = change_file_byte(root, made.data)
    rebag(root)
    keys = tmp_path / "keys.txt"
    keys.write_text("\n".join(k.to_text() for k in (*made.trust.log_keys, *made.trust.witness_keys)) + "\n")
    result = CliRunner().invoke(app, ["bundle", "verify", str(root), "--keys-file", str(keys)])
    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if "FAILED" in line and subject in line]
    assert failed and "file hash" in failed[0]
    clean = CliRunner().invoke(app, ["bundle", "verify", str(made.path), "--keys-file", str(keys)])
    assert clean.exit_code == 0 and "VERIFIED" in clean.output


def test_a_tampered_bundle_is_refused_on_import_with_the_verdict(
    made: Made, tmp_path: Path, sqlite_factory: SqliteFactory
) -> None:
    root = copy_bag(made.path, tmp_path / "bag")
    subject = change_metadata_value(root, made.data)
    rebag(root)
    folder = tmp_path / "receiver"
    folder.mkdir()
    receiver = Hague(Settings(data_dir=folder / "data", database_url=sqlite_factory.new(folder)))
    try:
        case = prepare_receiver(receiver)
        with pytest.raises(VerificationError) as caught:
            import_bundle(receiver, root, case, "rec", made.trust)
        assert (caught.value.details["item"], caught.value.details["step"]) == (subject, "metadata record")
        with receiver.reader() as session:
            assert session.scalar(select(func.count()).select_from(Item)) == 0
    finally:
        receiver.close()


def test_an_archive_with_a_path_escaping_the_bag_is_refused(made: Made, tmp_path: Path) -> None:
    import io
    import tarfile

    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as tar:
        data = b"overwrite"
        info = tarfile.TarInfo("../../escaped.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(VerificationError) as caught:
        verify_path(evil, made.trust)
    assert caught.value.details["step"] == "bag format"
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_a_truncated_encrypted_bundle_is_refused_at_decryption(made: Made, tmp_path: Path) -> None:
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    sealed = tmp_path / "b.tar.age"
    sealed.write_bytes(pyrage.encrypt(b"not much of a bundle" * 100, [identity.to_public()])[:-20])
    with pytest.raises(VerificationError) as caught:
        verify_path(sealed, made.trust, [str(identity)])
    assert caught.value.details["step"] == "decrypt"


def test_a_folder_that_is_not_a_bag_fails_closed(made: Made, tmp_path: Path) -> None:
    (tmp_path / "nobag" / "data").mkdir(parents=True)
    verdict = verify_bag(tmp_path / "nobag", made.trust)
    assert not verdict.ok and verdict.bundle[0].step in ("tag manifest", "bag format")
