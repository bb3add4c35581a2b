"""Importing a national police custody log (CSV): history kept as recorded, attested, and judged afterwards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from hague.access import share
from hague.custody.anomalies import report
from hague.custody.events import record
from hague.custody.imports import import_events, read_csv
from hague.custody.inputs import EventInput
from hague.custody.models import CustodyEvent
from hague.errors import ValidationError
from hague.ledger.attest import CHECKS
from hague.ledger.models import LogEntry
from tests.custody.conftest import Scene, counts

HEADER = (
    "ern,event_type,occurred_at,tz,actor,organisation,counterpart,place,facility,"
    "seal_numbers,seal_state,method,lab,source_ref\n"
)


def police_log(scene: Scene, path: Path) -> Path:
    ern = scene.physical
    path.write_text(
        HEADER
        + f"{ern},collected,2026-03-01T10:00:00+02:00,Europe/Kyiv,petro,UNP,,Irpin,,,,,,UNP-77/1\n"
        + f"{ern},sealed,2026-03-01T10:30:00+02:00,Europe/Kyiv,petro,UNP,,Irpin,,P-1;P-2,intact,,,UNP-77/2\n"
        + f"{ern},transferred,2026-03-01T12:00:00+02:00,Europe/Kyiv,petro,UNP,Bob Martens,,,P-1;P-2,intact,,,UNP-77/3\n"
        + f"{ern},received,2026-03-01T15:00:00+02:00,Europe/Kyiv,bob,OTP,,,,P-1;P-2,broken,,,UNP-77/4\n",
        encoding="utf-8",
    )
    return path


def test_police_csv_is_imported_with_its_history_and_attested(scene: Scene, tmp_path: Path) -> None:
    lead = scene.user("lead")
    with scene.hague.unit() as unit:
        share(unit, scene.case, "UNP", lead)
    with scene.hague.unit() as unit:
        assert import_events(unit, scene.case, read_csv(police_log(scene, tmp_path / "log.csv"))) == 4
    bob_id = scene.user("bob").id
    with scene.hague.reader() as session:
        events = list(session.scalars(select(CustodyEvent).order_by(CustodyEvent.seq)))
        assert [e.event_type for e in events] == ["collected", "sealed", "transferred", "received"]
        assert events[2].counterpart_id == bob_id and events[0].source_ref == "UNP-77/1"
        entry = session.scalars(select(LogEntry).where(LogEntry.kind == "custody.imported")).first()
        assert entry is not None
        fields = json.loads(entry.body)
        assert CHECKS["custody.imported"](session, fields) == fields["record"]
        assert {a.kind for a in report(session, ern=scene.physical)} == {"seal_broken"}


def test_recording_continues_after_imported_history(scene: Scene, tmp_path: Path) -> None:
    with scene.hague.unit() as unit:
        import_events(unit, scene.case, read_csv(police_log(scene, tmp_path / "log.csv")))
    row = record(scene.hague, scene.physical, scene.user("bob"), EventInput("stored", scene.at(30), facility="Vault"))
    assert row["seq"] == 5


def test_import_refuses_a_malformed_log_and_writes_nothing(scene: Scene, tmp_path: Path) -> None:
    path = police_log(scene, tmp_path / "log.csv")
    path.write_text(path.read_text() + f"{scene.physical},teleported,2026-03-02T10:00:00+02:00,UTC,bob,,,,,,,,,x\n")
    before = counts(scene.hague)
    with pytest.raises(ValidationError, match="unknown event type 'teleported'"), scene.hague.unit() as unit:
        import_events(unit, scene.case, read_csv(path))
    assert counts(scene.hague) == before


def test_import_refuses_times_without_offset(scene: Scene, tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(HEADER + f"{scene.physical},collected,2026-03-01T10:00:00,UTC,bob,,,,,,,,,x\n")
    with pytest.raises(ValidationError, match="no zone offset"), scene.hague.unit() as unit:
        import_events(unit, scene.case, read_csv(path))
