"""Recording custody events: each kind of event, its log entry, and its effects."""

from __future__ import annotations

import json

from sqlalchemy import select

from hague.custody.events import record
from hague.custody.inputs import EventInput
from hague.custody.models import CustodyEvent, CustodyState
from hague.evidence.models import File, Item
from hague.ledger.attest import CHECKS
from hague.ledger.models import LogEntry
from tests.custody.conftest import Scene


def collect_and_seal(scene: Scene, ern: str) -> None:
    alice = scene.user("alice")
    record(scene.hague, ern, alice, EventInput("collected", scene.at(0), "Europe/Kyiv", place="Bucha, Yablunska St"))
    record(scene.hague, ern, alice, EventInput("sealed", scene.at(1), "Europe/Kyiv", seal_numbers=("S-0001",)))


def test_collected_event_makes_the_actor_custodian_and_is_logged(scene: Scene) -> None:
    row = record(
        scene.hague,
        scene.physical,
        scene.user("alice"),
        EventInput("collected", scene.at(0), "Europe/Kyiv", place="Bucha", reason="scene examination"),
    )
    alice_id = scene.user("alice").id
    with scene.hague.reader() as session:
        state = session.get(CustodyState, row["item_id"])
        assert state is not None and state.status == "held" and state.custodian_id == alice_id
        entry = session.scalars(select(LogEntry).order_by(LogEntry.seq.desc())).first()
        assert entry is not None and entry.kind == "custody.collected"
        fields = json.loads(entry.body)
        assert CHECKS["custody.collected"](session, fields) == fields["record"]


def test_transfer_is_in_transit_until_the_named_receiver_acknowledges(scene: Scene) -> None:
    collect_and_seal(scene, scene.physical)
    record(
        scene.hague,
        scene.physical,
        scene.user("alice"),
        EventInput("transferred", scene.at(2), receiver="bob", reason="to storage", seal_numbers=("S-0001",)),
    )
    bob_id = scene.user("bob").id
    with scene.hague.reader() as session:
        state = session.scalar(select(CustodyState))
        assert state is not None
        assert (state.status, state.receiver_id) == ("in_transit", bob_id)
    row = record(
        scene.hague, scene.physical, scene.user("bob"), EventInput("received", scene.at(3), seal_numbers=("S-0001",))
    )
    assert row["counterpart_name"] == "Alice Kovalenko"
    with scene.hague.reader() as session:
        state = session.get(CustodyState, row["item_id"])
        assert state is not None and (state.status, state.custodian_id) == ("held", bob_id)


def test_sampling_creates_a_child_item_with_its_own_ern_and_custody(scene: Scene) -> None:
    collect_and_seal(scene, scene.physical)
    row = record(
        scene.hague, scene.physical, scene.user("alice"), EventInput("sampled", scene.at(2), sample_title="Swab")
    )
    child_ern = row["details"]["child_ern"]
    with scene.hague.reader() as session:
        child = session.scalar(select(Item).where(Item.ern == child_ern))
        parent = session.scalar(select(Item).where(Item.ern == scene.physical))
        assert child is not None and parent is not None and child.parent_item_id == parent.id
        first = session.scalar(select(CustodyEvent).where(CustodyEvent.item_id == child.id))
        assert first is not None and first.event_type == "collected" and first.details == {"parent_ern": scene.physical}


def test_examination_results_become_derivatives_of_the_digital_original(scene: Scene, tmp_path) -> None:  # type: ignore[no-untyped-def]
    alice = scene.user("alice")
    record(scene.hague, scene.digital, alice, EventInput("collected", scene.at(0)))
    report = tmp_path / "report.txt"
    report.write_text("extraction report: 312 messages")
    blob = scene.hague.store.put_path(report)
    record(
        scene.hague,
        scene.digital,
        alice,
        EventInput("examined", scene.at(1), method="logical extraction", lab="OTP FSL", result_files=(blob.sha256,)),
    )
    with scene.hague.reader() as session:
        derived = session.scalar(select(File).where(File.sha256 == blob.sha256))
        assert derived is not None and derived.derivation == "examination_result" and derived.derived_from_id


def test_digital_copy_with_the_same_hash_is_recorded_as_verified(scene: Scene, tmp_path) -> None:  # type: ignore[no-untyped-def]
    alice = scene.user("alice")
    record(scene.hague, scene.digital, alice, EventInput("collected", scene.at(0)))
    with scene.hague.store.open(scene.digital_sha) as fh:
        (tmp_path / "copy.img").write_bytes(fh.read())
    copy = scene.hague.store.put_path(tmp_path / "copy.img")
    row = record(
        scene.hague,
        scene.digital,
        alice,
        EventInput("copied", scene.at(1), copy_sha256=copy.sha256, destination="USB 7"),
    )
    assert row["details"]["verified_sha256"] == scene.digital_sha
