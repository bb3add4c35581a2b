"""Every custody rule, broken on purpose: a clear error, and nothing written (no event, state, item, file or entry)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hague.custody.events import CopyHashMismatch, record, record_many
from hague.custody.inputs import EventInput
from hague.custody.models import CustodyEvent, IntegrityIncident
from hague.errors import Conflict, HagueError, NotFound, PermissionDenied, ValidationError
from hague.ledger.models import LogEntry
from tests.custody.conftest import Scene, counts


def refused(scene: Scene, error: type[HagueError], match: str, attempt: Callable[[], object]) -> None:
    before = counts(scene.hague)
    with pytest.raises(error, match=match):
        attempt()
    assert counts(scene.hague) == before


def held_by_alice(scene: Scene, ern: str | None = None) -> str:
    ern = ern or scene.physical
    alice = scene.user("alice")
    record(scene.hague, ern, alice, EventInput("collected", scene.at(0), "Europe/Kyiv", place="Irpin"))
    record(scene.hague, ern, alice, EventInput("sealed", scene.at(1), seal_numbers=("S-1", "S-2")))
    return ern


def in_transit_to_bob(scene: Scene) -> str:
    ern = held_by_alice(scene)
    record(scene.hague, ern, scene.user("alice"), EventInput("transferred", scene.at(2), receiver="bob", reason="lab"))
    return ern


def test_first_event_must_be_the_collection(scene: Scene) -> None:
    alice = scene.user("alice")
    refused(
        scene,
        Conflict,
        "first event must be 'collected'",
        lambda: record(scene.hague, scene.physical, alice, EventInput("stored", scene.at(0), facility="Vault")),
    )


def test_an_item_is_collected_once(scene: Scene) -> None:
    ern = held_by_alice(scene)
    bob = scene.user("bob")
    refused(
        scene,
        Conflict,
        "already collected",
        lambda: record(scene.hague, ern, bob, EventInput("collected", scene.at(2))),
    )


def test_only_the_custodian_records_events_on_a_held_item(scene: Scene) -> None:
    ern = held_by_alice(scene)
    bob = scene.user("bob")
    refused(
        scene,
        Conflict,
        "alice is the custodian",
        lambda: record(scene.hague, ern, bob, EventInput("stored", scene.at(2), facility="Vault")),
    )


def test_a_transfer_needs_two_different_people(scene: Scene) -> None:
    ern = held_by_alice(scene)
    alice = scene.user("alice")
    refused(
        scene,
        ValidationError,
        "two different people",
        lambda: record(scene.hague, ern, alice, EventInput("transferred", scene.at(2), receiver="alice", reason="x")),
    )


def test_a_transfer_names_its_receiver(scene: Scene) -> None:
    ern = held_by_alice(scene)
    alice = scene.user("alice")
    refused(
        scene,
        ValidationError,
        "names its receiver",
        lambda: record(scene.hague, ern, alice, EventInput("transferred", scene.at(2), reason="x")),
    )


def test_only_the_named_receiver_can_receive(scene: Scene) -> None:
    ern = in_transit_to_bob(scene)
    erin = scene.user("erin")
    refused(
        scene,
        Conflict,
        "only bob can acknowledge",
        lambda: record(scene.hague, ern, erin, EventInput("received", scene.at(3))),
    )


def test_no_event_but_receipt_on_an_item_in_transit(scene: Scene) -> None:
    ern = in_transit_to_bob(scene)
    alice = scene.user("alice")
    refused(
        scene,
        Conflict,
        "in transit from alice to bob",
        lambda: record(scene.hague, ern, alice, EventInput("stored", scene.at(3), facility="Vault")),
    )


def test_a_loss_in_transit_can_be_recorded(scene: Scene) -> None:
    ern = in_transit_to_bob(scene)
    row = record(scene.hague, ern, scene.user("bob"), EventInput("lost", scene.at(30), reason="never arrived"))
    assert row["event_type"] == "lost"
    refused(
        scene,
        Conflict,
        "recorded as lost",
        lambda: record(scene.hague, ern, scene.user("bob"), EventInput("received", scene.at(31))),
    )


def test_receipt_needs_an_item_in_transit(scene: Scene) -> None:
    ern = held_by_alice(scene)
    bob = scene.user("bob")
    refused(
        scene, Conflict, "not in transit", lambda: record(scene.hague, ern, bob, EventInput("received", scene.at(2)))
    )


def test_event_time_in_the_future_is_refused(scene: Scene) -> None:
    alice = scene.user("alice")
    later = datetime.now(UTC) + timedelta(hours=2)
    refused(
        scene,
        ValidationError,
        "in the future",
        lambda: record(scene.hague, scene.physical, alice, EventInput("collected", later)),
    )


def test_event_time_before_collection_is_refused(scene: Scene) -> None:
    alice = scene.user("alice")
    refused(
        scene,
        ValidationError,
        "before .* was collected",
        lambda: record(scene.hague, scene.physical, alice, EventInput("collected", scene.at(-5))),
    )


def test_event_time_before_the_last_event_is_refused(scene: Scene) -> None:
    ern = held_by_alice(scene)
    alice = scene.user("alice")
    refused(
        scene,
        ValidationError,
        "earlier than the last custody event",
        lambda: record(scene.hague, ern, alice, EventInput("stored", scene.at(0.5), facility="Vault")),
    )


def test_event_time_without_a_zone_is_refused(scene: Scene) -> None:
    alice = scene.user("alice")
    refused(
        scene,
        ValidationError,
        "needs a time zone",
        lambda: record(scene.hague, scene.physical, alice, EventInput("collected", datetime(2026, 3, 1, 9))),
    )


def test_unknown_time_zone_is_refused(scene: Scene) -> None:
    alice = scene.user("alice")
    refused(
        scene,
        ValidationError,
        "unknown time zone",
        lambda: record(scene.hague, scene.physical, alice, EventInput("collected", scene.at(0), "Kyiv/Nowhere")),
    )


def test_actor_without_a_role_on_the_case_is_refused(scene: Scene) -> None:
    mallory = scene.user("mallory")
    refused(
        scene,
        PermissionDenied,
        "mallory needs one of the roles",
        lambda: record(scene.hague, scene.physical, mallory, EventInput("collected", scene.at(0))),
    )


def test_transfer_to_someone_without_a_role_is_refused(scene: Scene) -> None:
    ern = held_by_alice(scene)
    alice = scene.user("alice")
    refused(
        scene,
        PermissionDenied,
        "mallory needs one of the roles",
        lambda: record(scene.hague, ern, alice, EventInput("transferred", scene.at(2), receiver="mallory", reason="x")),
    )


def test_disposal_needs_an_authorising_decision(scene: Scene) -> None:
    ern = held_by_alice(scene)
    alice = scene.user("alice")
    refused(
        scene,
        ValidationError,
        "authorising decision",
        lambda: record(scene.hague, ern, alice, EventInput("disposed", scene.at(2))),
    )


def test_disposal_authorised_by_someone_without_authority_is_refused(scene: Scene) -> None:
    ern = held_by_alice(scene)
    alice = scene.user("alice")
    refused(
        scene,
        PermissionDenied,
        "bob needs one of the roles admin, case_lead",
        lambda: record(
            scene.hague, ern, alice, EventInput("disposed", scene.at(2), decision="D-1", authorised_by="bob")
        ),
    )


def test_no_event_after_an_authorised_disposal(scene: Scene) -> None:
    ern = held_by_alice(scene)
    alice = scene.user("alice")
    record(
        scene.hague, ern, alice, EventInput("disposed", scene.at(2), decision="Chamber order 12", authorised_by="lead")
    )
    refused(
        scene,
        Conflict,
        "was disposed of",
        lambda: record(scene.hague, ern, alice, EventInput("stored", scene.at(3), facility="Vault")),
    )


def test_sealing_needs_seal_numbers(scene: Scene) -> None:
    alice = scene.user("alice")
    record(scene.hague, scene.physical, alice, EventInput("collected", scene.at(0)))
    refused(
        scene,
        ValidationError,
        "seal numbers",
        lambda: record(scene.hague, scene.physical, alice, EventInput("sealed", scene.at(1))),
    )


def test_attachment_must_already_be_in_the_store(scene: Scene) -> None:
    alice = scene.user("alice")
    refused(
        scene,
        ValidationError,
        "not in the store",
        lambda: record(
            scene.hague, scene.physical, alice, EventInput("collected", scene.at(0), attachments=("a" * 64,))
        ),
    )


def test_a_batch_with_one_broken_rule_writes_nothing(scene: Scene) -> None:
    alice, bob = scene.user("alice"), scene.user("bob")
    batch = [
        (scene.physical, alice, EventInput("collected", scene.at(0))),
        (scene.physical, alice, EventInput("sampled", scene.at(1), sample_title="Swab")),
        (scene.physical, bob, EventInput("stored", scene.at(2), facility="Vault")),
    ]
    refused(scene, Conflict, "alice is the custodian", lambda: record_many(scene.hague, batch))


def test_copy_whose_hash_differs_is_refused_and_kept_as_an_integrity_incident(scene: Scene, tmp_path: Path) -> None:
    alice = scene.user("alice")
    record(scene.hague, scene.digital, alice, EventInput("collected", scene.at(0)))
    with scene.hague.store.open(scene.digital_sha) as fh:
        damaged = bytearray(fh.read())
    damaged[10] ^= 0xFF
    (tmp_path / "copy.img").write_bytes(bytes(damaged))
    copy = scene.hague.store.put_path(tmp_path / "copy.img")
    before = counts(scene.hague)
    with pytest.raises(CopyHashMismatch, match="does not match its source"):
        record(scene.hague, scene.digital, alice, EventInput("copied", scene.at(1), copy_sha256=copy.sha256))
    after = counts(scene.hague)
    events, states, incidents, items, files, log = before
    assert after == (events, states, incidents + 1, items, files, log + 1)
    with scene.hague.reader() as session:
        incident = session.scalar(select(IntegrityIncident))
        assert incident is not None
        assert (incident.expected_sha256, incident.found_sha256) == (scene.digital_sha, copy.sha256)
        entry = session.scalars(select(LogEntry).order_by(LogEntry.seq.desc())).first()
        assert entry is not None and entry.kind == "custody.integrity_incident"


def test_unknown_item_is_refused(scene: Scene) -> None:
    alice = scene.user("alice")
    refused(
        scene,
        NotFound,
        "no item",
        lambda: record(scene.hague, "UKR-OTP-0001-9999", alice, EventInput("collected", scene.at(0))),
    )


def test_concurrent_transfers_of_one_item_leave_exactly_one_custody_chain(scene: Scene) -> None:
    ern = held_by_alice(scene)
    alice = scene.user("alice")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def transfer(receiver: str) -> None:
        barrier.wait()
        try:
            record(scene.hague, ern, alice, EventInput("transferred", scene.at(2), receiver=receiver, reason="race"))
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=transfer, args=(name,)) for name in ("bob", "erin")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    with scene.hague.reader() as session:
        assert session.scalar(select(func.count()).select_from(CustodyEvent).where(CustodyEvent.seq == 3)) == 1


def test_concurrent_collections_of_one_item_record_one(scene: Scene) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def collect(username: str) -> None:
        actor = scene.user(username)
        barrier.wait()
        try:
            record(scene.hague, scene.physical, actor, EventInput("collected", scene.at(0)))
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=collect, args=(name,)) for name in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
