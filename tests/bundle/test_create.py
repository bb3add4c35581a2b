"""Creating bundles: what goes in per recipient, who may create one, encryption, and the log entry."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pyrage
import pytest
from sqlalchemy import select
from tests.bundle.conftest import Sender, add_testimony, populate_sender, vkeys
from tests.testimony.test_leak import hits

from hague.access.roles import get_user
from hague.access.sharing import share
from hague.bundle import layout
from hague.bundle.collect import Selection
from hague.bundle.create import create_bundle
from hague.bundle.models import BundleCreated, BundleImport
from hague.bundle.verify import parse_trust, verify_bag, verify_path
from hague.core import Hague
from hague.errors import Conflict, PermissionDenied, ValidationError, VerificationError
from hague.evidence import register
from hague.ledger.fsck import verify as fsck
from hague.ledger.keys import generate_key
from hague.ledger.models import LogEntry
from hague.search.query import ItemFilter
from hague.search.saved import save_search


@pytest.fixture
def sender(hague: Hague) -> Sender:
    """The populated sender with a signing key (no witness: quorum 0)."""
    data = populate_sender(hague)
    generate_key(hague)
    return data


def _items(root: Path) -> dict[str, dict[str, object]]:
    meta = json.loads((root / "data" / layout.METADATA_JSON).read_text())
    return {i["ern"]: i for i in meta["items"]}


def _suffixes(item: dict[str, object]) -> list[str]:
    files = item["files"]
    assert isinstance(files, list)
    return [f["ern_suffix"] for f in files]


def test_the_testimony_bundle_holds_no_identity_data(hague: Hague, sender: Sender, tmp_path: Path) -> None:
    made = create_bundle(hague, Selection(sender.case, (sender.testimony,), recipient="PGO"), tmp_path / "b", "lead")
    found: list[str] = []
    for path in made.path.rglob("*"):
        if path.is_file():
            found += hits(str(path.relative_to(made.path)), path.read_bytes())
            found += hits(str(path), str(path.relative_to(made.path)).encode())
            if path.suffix == ".pdf":
                text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout
                found += hits(f"{path.name} (text)", text)
    assert found == []
    item = _items(made.path)[sender.testimony]
    assert item["pseudonym"] == sender.pseudonym
    files = item["files"]
    assert isinstance(files, list)  # the redacted text and its PDF rendering, never the transcript
    assert [(f["ern_suffix"], f["derivation"], f["mime_type"]) for f in files] == [
        ("-Red", "redacted", "text/plain"),
        ("", "copy", "application/pdf"),
    ]
    manifest = (made.path / "manifest-sha256.txt").read_text()
    assert sender.transcript_sha256 not in manifest  # pointed to (derived_from), never shipped


def test_a_testimony_without_an_approved_redaction_goes_out_without_files(
    hague: Hague, sender: Sender, tmp_path: Path
) -> None:
    second, _, _ = add_testimony(hague, sender.case, redacted=False)
    made = create_bundle(hague, Selection(sender.case, (second,)), tmp_path / "b", "lead", pdf=False)
    item_meta = _items(made.path)[second]
    assert item_meta["files"] == [] and item_meta["files_withheld"] == 1
    assert not (made.path / "data" / "files").exists()


def test_redacted_mode_sends_only_the_latest_redacted_version(hague: Hague, sender: Sender, tmp_path: Path) -> None:
    erns = tuple(sender.digital)
    made = create_bundle(hague, Selection(sender.case, erns, files="redacted"), tmp_path / "b", "lead", pdf=False)
    items = _items(made.path)
    assert _suffixes(items[sender.digital[0]]) == ["-Red"]
    assert items[sender.digital[1]]["files"] == [] and items[sender.digital[1]]["files_withheld"] == 1
    assert verify_bag(made.path, parse_trust(vkeys(hague))).ok


def test_items_not_shared_with_the_recipient_are_withheld_and_listed(
    hague: Hague, sender: Sender, tmp_path: Path
) -> None:
    with hague.unit() as unit:
        register.create_organisation(unit, "JIT", "Joint investigation team")
        share(unit, sender.case, "JIT", get_user(unit.session, "lead"))
    erns = (sender.digital[0], sender.testimony)
    made = create_bundle(hague, Selection(sender.case, erns, recipient="JIT"), tmp_path / "b", "lead", pdf=False)
    assert made.items == [sender.digital[0]]
    assert [w["ern"] for w in made.withheld] == [sender.testimony]
    assert "consent" in made.withheld[0]["reason"]
    assert sender.testimony not in _items(made.path)


def test_a_user_without_a_bundling_role_is_refused(hague: Hague, sender: Sender, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        create_bundle(hague, Selection(sender.case, tuple(sender.digital)), tmp_path / "b", "viewer")
    assert not (tmp_path / "b").exists()


def test_an_existing_target_is_never_overwritten(hague: Hague, sender: Sender, tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    with pytest.raises(Conflict):
        create_bundle(hague, Selection(sender.case, tuple(sender.digital)), tmp_path / "b", "lead", pdf=False)


def test_a_bad_selection_is_refused(hague: Hague, sender: Sender, tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        create_bundle(hague, Selection(sender.case, files="everything"), tmp_path / "b", "lead")
    with pytest.raises(ValidationError):
        create_bundle(hague, Selection(sender.case, (sender.physical,), incident=1), tmp_path / "c", "lead")


def test_a_bundle_by_incident_holds_the_incident_items(hague: Hague, sender: Sender, tmp_path: Path) -> None:
    made = create_bundle(hague, Selection(sender.case, incident=1), tmp_path / "b", "lead", pdf=False)
    assert made.items == [*sender.digital, sender.physical]


def test_a_bundle_by_saved_search_holds_what_the_search_finds(hague: Hague, sender: Sender, tmp_path: Path) -> None:
    with hague.unit() as unit:
        save_search(unit, "lead", sender.case, "school photos", ItemFilter(q="school", kind="digital"))
    made = create_bundle(hague, Selection(sender.case, saved_search="school photos"), tmp_path / "b", "lead", pdf=False)
    assert made.items == sender.digital
    bundle = json.loads((made.path / "data" / layout.METADATA_JSON).read_text())["bundle"]
    assert bundle["selection"] == {"by": "saved_search", "saved_search": "school photos"}


def test_a_saved_search_that_finds_nothing_makes_no_bundle(hague: Hague, sender: Sender, tmp_path: Path) -> None:
    with hague.unit() as unit:
        save_search(unit, "lead", sender.case, "nothing", ItemFilter(q="submarine"))
    with pytest.raises(ValidationError, match="matches no item"):
        create_bundle(hague, Selection(sender.case, saved_search="nothing"), tmp_path / "b", "lead", pdf=False)
    assert not (tmp_path / "b").exists()


def test_a_selection_by_erns_and_saved_search_at_once_is_refused(hague: Hague, sender: Sender, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="one of them"):
        create_bundle(hague, Selection(sender.case, (sender.physical,), saved_search="x"), tmp_path / "b", "lead")


def test_creating_a_bundle_is_logged_and_checked_by_verify(hague: Hague, sender: Sender, tmp_path: Path) -> None:
    made = create_bundle(hague, Selection(sender.case, tuple(sender.digital)), tmp_path / "b", "lead", pdf=False)
    with hague.reader() as session:
        bodies = [
            json.loads(b) for b in session.scalars(select(LogEntry.body).where(LogEntry.kind == "bundle.created"))
        ]
        row = session.scalar(select(BundleCreated))
    assert [(b["bundle"], b["items"]) for b in bodies] == [(made.sha256, 2)]
    assert row is not None and row.items == sender.digital and row.checkpoint_size == made.checkpoint_size
    assert fsck(hague).ok
    with hague.unit() as unit:
        changed = unit.session.scalar(select(BundleCreated))
        assert changed is not None
        changed.recipient = "XYZ"
    assert not fsck(hague).ok


def test_an_encrypted_bundle_opens_only_with_the_recipients_identity(
    hague: Hague, sender: Sender, tmp_path: Path
) -> None:
    identity = pyrage.x25519.Identity.generate()
    out = tmp_path / "out"
    target = out / "to-pgo.tar.age"
    made = create_bundle(
        hague,
        Selection(sender.case, (sender.physical, sender.testimony), recipient="PGO"),
        target,
        "lead",
        recipient_key=str(identity.to_public()),
        pdf=False,
    )
    raw = target.read_bytes()
    assert made.encrypted and raw.startswith(b"age-encryption.org/v1")
    assert sender.physical.encode() not in raw and b"manifest-sha256" not in raw
    assert [p.name for p in out.iterdir()] == [target.name]  # no plaintext bag or tar left behind
    verdict = verify_path(target, parse_trust(vkeys(hague)), [str(identity)])
    assert verdict.ok and verdict.bundle_sha256 == made.sha256
    with pytest.raises(VerificationError) as no_key:
        verify_path(target, parse_trust(vkeys(hague)))
    assert no_key.value.details["step"] == "decrypt"
    with pytest.raises(VerificationError):
        verify_path(target, parse_trust(vkeys(hague)), [str(pyrage.x25519.Identity.generate())])


def test_a_malformed_recipient_key_is_refused_and_leaves_nothing(hague: Hague, sender: Sender, tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        selection = Selection(sender.case, (sender.physical,))
        create_bundle(hague, selection, tmp_path / "out" / "b.age", "lead", recipient_key="age1notakey", pdf=False)
    assert list((tmp_path / "out").iterdir()) == []
    with hague.reader() as session:
        assert session.scalar(select(BundleCreated)) is None


def test_a_bundle_needs_a_final_checkpoint_when_a_quorum_is_set(hague: Hague, sender: Sender, tmp_path: Path) -> None:
    hague.settings.witness_quorum = 1
    with pytest.raises(Conflict):
        create_bundle(hague, Selection(sender.case, (sender.physical,)), tmp_path / "b", "lead", pdf=False)
    assert not (tmp_path / "b").exists()


def test_an_encrypted_bundle_imports_with_the_identity_and_is_refused_without(
    hague: Hague, sender: Sender, receiver: Hague, tmp_path: Path
) -> None:
    from tests.bundle.conftest import prepare_receiver

    from hague.bundle.receive import import_bundle

    identity = pyrage.x25519.Identity.generate()
    target = tmp_path / "out" / "to-pgo.tar.age"
    selection = Selection(sender.case, (sender.physical,), recipient="PGO")
    create_bundle(hague, selection, target, "lead", recipient_key=str(identity.to_public()), pdf=False)
    case = prepare_receiver(receiver)
    trust = parse_trust(vkeys(hague))
    with pytest.raises(VerificationError):
        import_bundle(receiver, target, case, "rec", trust)
    done = import_bundle(receiver, target, case, "rec", trust, [str(identity)])
    assert list(done.items) == [sender.physical]
    assert fsck(receiver).ok
    with receiver.unit() as unit:
        row = unit.session.scalar(select(BundleImport))
        assert row is not None
        row.items = {sender.physical: "UKR-PGO-0001-0099"}
    found = fsck(receiver).findings
    assert found and "bundle.imported" in str(found[0])
