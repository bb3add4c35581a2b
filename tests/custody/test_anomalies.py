"""Anomaly report: each kind found on a trail built to show it, and none on a clean trail."""

from __future__ import annotations

from datetime import timedelta

from hague.access import revoke, share
from hague.custody.anomalies import report
from hague.custody.events import record
from hague.custody.imports import ImportedEvent, import_events
from hague.custody.inputs import EventInput
from tests.custody.conftest import Scene


def kinds(scene: Scene, **kw: object) -> set[tuple[int, str]]:
    with scene.hague.reader() as session:
        return {(a.seq, a.kind) for a in report(session, ern=scene.physical, **kw)}  # type: ignore[arg-type]


def imported(scene: Scene, *events: tuple[str, float, str, dict[str, object]]) -> None:
    with scene.hague.unit() as unit:
        import_events(
            unit,
            scene.case,
            [
                ImportedEvent(ern=scene.physical, event_type=t, occurred_at=scene.at(h), actor=a, **kw)  # type: ignore[arg-type]
                for t, h, a, kw in events
            ],
        )


def test_a_clean_recorded_trail_has_no_anomaly(scene: Scene) -> None:
    alice, bob = scene.user("alice"), scene.user("bob")
    record(scene.hague, scene.physical, alice, EventInput("collected", scene.at(0)))
    record(scene.hague, scene.physical, alice, EventInput("transferred", scene.at(1), receiver="bob", reason="r"))
    record(scene.hague, scene.physical, bob, EventInput("received", scene.at(2)))
    assert kinds(scene) == set()


def test_unacknowledged_transfer_older_than_the_threshold(scene: Scene) -> None:
    alice = scene.user("alice")
    record(scene.hague, scene.physical, alice, EventInput("collected", scene.at(0)))
    record(scene.hague, scene.physical, alice, EventInput("transferred", scene.at(1), receiver="bob", reason="r"))
    assert kinds(scene, as_of=scene.at(10)) == set()
    assert kinds(scene, as_of=scene.at(60)) == {(2, "unacknowledged_transfer")}
    assert kinds(scene, as_of=scene.at(10), unacknowledged_after=timedelta(hours=5)) == {(2, "unacknowledged_transfer")}


def test_broken_and_replaced_seals(scene: Scene) -> None:
    alice, bob = scene.user("alice"), scene.user("bob")
    record(scene.hague, scene.physical, alice, EventInput("collected", scene.at(0)))
    record(scene.hague, scene.physical, alice, EventInput("transferred", scene.at(1), receiver="bob", reason="r"))
    record(
        scene.hague, scene.physical, bob, EventInput("received", scene.at(2), seal_numbers=("S1",), seal_state="broken")
    )
    record(
        scene.hague, scene.physical, bob, EventInput("sealed", scene.at(3), seal_numbers=("S2",), seal_state="replaced")
    )
    assert kinds(scene) == {(3, "seal_broken"), (4, "seal_replaced")}


def test_examination_without_check_out(scene: Scene) -> None:
    alice = scene.user("alice")
    record(scene.hague, scene.physical, alice, EventInput("collected", scene.at(0)))
    record(scene.hague, scene.physical, alice, EventInput("examined", scene.at(1), method="visual", lab="field"))
    assert kinds(scene) == {(2, "examination_without_checkout")}


def test_gaps_in_imported_history(scene: Scene) -> None:
    imported(
        scene,
        ("sealed", 0, "alice", {"seal_numbers": ("S1",)}),
        ("stored", 1, "bob", {"facility": "Vault"}),
        ("received", 2, "bob", {}),
    )
    assert kinds(scene) == {(1, "gap"), (2, "gap"), (3, "gap")}


def test_wrong_receiver_in_imported_history(scene: Scene) -> None:
    imported(
        scene,
        ("collected", 0, "alice", {}),
        ("transferred", 1, "alice", {"counterpart": "bob", "reason": "r"}),
        ("received", 2, "erin", {}),
    )
    assert kinds(scene) == {(3, "wrong_receiver")}


def test_events_by_people_without_a_role(scene: Scene) -> None:
    imported(
        scene,
        ("collected", 0, "mallory", {}),
        ("transferred", 1, "mallory", {"counterpart": "Unknown Driver", "reason": "r"}),
        ("received", 2, "Unknown Driver", {}),
    )
    found = kinds(scene)
    assert {(1, "actor_without_role"), (2, "actor_without_role"), (3, "actor_without_role")} <= found
    assert found - {(3, "custody_outside_sharing")} == {
        (1, "actor_without_role"),
        (2, "actor_without_role"),
        (3, "actor_without_role"),
    }


def test_custody_held_by_an_organisation_the_item_is_not_shared_with(scene: Scene) -> None:
    alice = scene.user("alice")
    owner = scene.user("lead")
    with scene.hague.unit() as unit:
        share(unit, scene.case, "UNP", owner)
    record(scene.hague, scene.physical, alice, EventInput("collected", scene.at(0)))
    record(scene.hague, scene.physical, alice, EventInput("transferred", scene.at(1), receiver="petro", reason="trial"))
    record(scene.hague, scene.physical, scene.user("petro"), EventInput("received", scene.at(2)))
    assert kinds(scene) == set()
    with scene.hague.unit() as unit:
        revoke(unit, scene.case, "UNP", owner)
    assert kinds(scene) == {(3, "custody_outside_sharing")}
