"""`hague verify` recomputes every custody, forensic and SOP record from the rows, and names a tampered one."""

from __future__ import annotations

from sqlalchemy import update

from hague.custody.events import record
from hague.custody.imports import ImportedEvent, import_events
from hague.custody.inputs import EventInput
from hague.custody.models import CustodyEvent
from hague.ledger.fsck import verify
from hague.workflow.sop import register_sop
from tests.custody.conftest import Scene
from tests.custody.generator import SOP


def trail(scene: Scene) -> None:
    alice, lead = scene.user("alice"), scene.user("lead")
    record(scene.hague, scene.physical, alice, EventInput("collected", scene.at(0), place="Izium"))
    record(scene.hague, scene.physical, alice, EventInput("sealed", scene.at(1), seal_numbers=("S-9",)))
    with scene.hague.unit() as unit:
        import_events(
            unit,
            scene.case,
            [ImportedEvent(ern=scene.digital, event_type="collected", occurred_at=scene.at(0), actor="petro")],
        )
        register_sop(unit, "OTP", SOP, lead)


def test_verify_passes_on_custody_records(scene: Scene) -> None:
    trail(scene)
    result = verify(scene.hague, blobs=False)
    assert result.ok, result.findings
    assert "custody.sealed" not in result.counts.get("unchecked", {})


def test_verify_names_a_tampered_custody_event(scene: Scene) -> None:
    trail(scene)
    with scene.hague.unit() as unit:
        unit.session.execute(update(CustodyEvent).where(CustodyEvent.seq == 2).values(seal_numbers=["S-10"]))
    result = verify(scene.hague, blobs=False)
    assert any(scene.physical in f.subject and "custody.sealed" in f.subject for f in result.findings)


def test_verify_names_a_custody_event_without_its_entry(scene: Scene) -> None:
    trail(scene)
    with scene.hague.unit() as unit:
        unit.session.execute(update(CustodyEvent).where(CustodyEvent.seq == 2).values(seq=3))
    result = verify(scene.hague, blobs=False)
    assert any("custody event 3" in f.subject for f in result.findings)
