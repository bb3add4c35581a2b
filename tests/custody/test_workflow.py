"""SOPs as YAML, conformance of trails, and the process map (counts checked against the events themselves)."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hague.core import Hague
from hague.custody.anomalies import report
from hague.custody.imports import ImportedEvent, import_events
from hague.custody.models import CustodyEvent
from hague.errors import ValidationError
from hague.evidence.models import User
from hague.workflow import conformance
from hague.workflow.processmap import process_map, to_svg
from hague.workflow.sop import get_sop, parse_sop, register_sop
from tests.custody.generator import KINDS, SOP, Planted, generate, register_items


@pytest.fixture
def generated(hague: Hague, case_code: str) -> Planted:
    """100 items, 1,000 events, 4 deviant (one of each planted kind)."""
    return generate(hague, case_code, 100, deviant_share=0.04)


def findings(hague: Hague, case: str) -> set[tuple[str, str, int]]:
    with hague.reader() as session:
        checked = conformance.check(session, case_code=case)
        found = {(d.ern, d.kind, d.seq) for d in checked.deviations}
        return found | {(a.ern, a.kind, a.seq) for a in report(session, case_code=case)}


def test_every_planted_deviation_is_reported_and_nothing_else(hague: Hague, generated: Planted) -> None:
    assert {kind for kind, _ in generated.deviations.values()} == set(KINDS)
    expected = {(ern, kind, seq) for ern, (kind, seq) in generated.deviations.items()}
    assert findings(hague, generated.case) == expected


def test_conformance_counts_conforming_items(hague: Hague, generated: Planted) -> None:
    with hague.reader() as session:
        checked = conformance.check(session, case_code=generated.case)
    assert checked.checked == 100 and checked.without_sop == []
    deviant_by_sop = {e for e, (k, _) in generated.deviations.items() if k in ("skipped_step", "overdue")}
    assert set(checked.deviant_items) == deviant_by_sop


def test_process_map_counts_match_the_events(hague: Hague, generated: Planted) -> None:
    with hague.reader() as session:
        graph = process_map(session, case_code=generated.case)
        rows = session.execute(
            select(CustodyEvent.item_id, CustodyEvent.event_type).order_by(CustodyEvent.item_id, CustodyEvent.seq)
        ).all()
    nodes = Counter(t for _, t in rows)
    edges = Counter((a[1], b[1]) for a, b in itertools.pairwise(rows) if a[0] == b[0])
    assert {n["type"]: n["count"] for n in graph["nodes"]} == dict(nodes)
    assert {(e["from"], e["to"]): e["count"] for e in graph["edges"]} == dict(edges)
    assert graph["events"] == len(rows) == generated.events
    assert sum(n["starts"] for n in graph["nodes"]) == graph["items"] == 100


def test_process_map_medians_are_the_middle_wait(hague: Hague, generated: Planted) -> None:
    with hague.reader() as session:
        graph = process_map(session, case_code=generated.case)
    stored = next(e for e in graph["edges"] if (e["from"], e["to"]) == ("received", "stored"))
    assert stored["median_seconds"] == 3600  # the generator stores every item one hour after receipt


def test_process_map_svg_is_well_formed_and_labels_every_step(hague: Hague, generated: Planted) -> None:
    with hague.reader() as session:
        graph = process_map(session, organisation="OTP")
    svg = to_svg(graph)
    root = ET.fromstring(svg)
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {n["type"] for n in graph["nodes"]} <= texts
    assert len(root.findall(".//{http://www.w3.org/2000/svg}g[@class='edge']")) == len(graph["edges"])


def test_sop_round_trips_through_registration(hague: Hague, generated: Planted) -> None:
    with hague.reader() as session:
        assert get_sop(session, "OTP") == parse_sop(SOP)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nstart: [collected]\nsteps: {collected: {next: [teleported]}}", "not described"),
        ("name: x\nstart: [collected]\nsteps: {flying: {}}", "must be custody event types"),
        ("name: x\nstart: [collected]\nsteps: {collected: {max_duration: soon}}", "not like 30m"),
        ("name: x\nstart: [collected]\nsteps: {collected: {required: [colour]}}", "unknown required field"),
        ("name: x\nstart: [collected]\nsteps: {collected: {nxt: []}}", "Extra inputs"),
        ("- just\n- a list", "must be a YAML mapping"),
        ("name: [unclosed", "not valid YAML"),
    ],
)
def test_malformed_sop_is_refused_with_the_place(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_sop(text)


def test_registering_a_new_sop_version_keeps_the_old_one(hague: Hague, generated: Planted) -> None:
    with hague.reader() as session:
        owner = session.scalar(select(User).where(User.username == "owner"))
    assert owner is not None
    with hague.unit() as unit:
        row = register_sop(unit, "OTP", SOP.replace("max_duration: 72h", "max_duration: 300h"), owner)
    assert row.version == 2
    expected = {(e, k, s) for e, (k, s) in generated.deviations.items() if k != "overdue"}
    assert findings(hague, generated.case) == expected


def test_missing_required_fields_are_reported_per_event(hague: Hague, generated: Planted) -> None:
    with hague.unit() as unit:
        ern = register_items(unit, generated.case, 500, 501)[0]
    t = datetime(2025, 3, 1, 8, tzinfo=UTC)
    trail = [
        ("collected", "inv0", {}),
        ("sealed", "inv0", {}),
        ("transferred", "inv0", {"counterpart": "cus0", "reason": "store", "seal_numbers": ("S-1",)}),
        ("received", "cus0", {"seal_numbers": ("S-1",)}),
        ("stored", "cus0", {}),
        ("checked_out", "cus0", {"counterpart": "lab0", "reason": "exam"}),
        ("examined", "lab0", {"details": {"method": "microscopy"}}),
        ("checked_in", "lab0", {}),
        ("stored", "cus0", {"facility": "Vault"}),
    ]
    with hague.unit() as unit:
        import_events(
            unit,
            generated.case,
            [
                ImportedEvent(ern=ern, event_type=kind, occurred_at=t + timedelta(hours=n), actor=actor, **extra)  # type: ignore[arg-type]
                for n, (kind, actor, extra) in enumerate(trail)
            ],
        )
    with hague.reader() as session:
        found = [
            (d.seq, d.message) for d in conformance.check(session, case_code=generated.case).deviations if d.ern == ern
        ]
    assert found == [
        (1, "collected lacks place"),
        (2, "sealed lacks seal_numbers"),
        (5, "stored lacks facility"),
        (7, "examined lacks lab"),
    ]
