"""AM/PM records and the identification workflow: candidate -> reviewed -> confirmed -> notified."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hague.core import Hague
from hague.errors import Conflict, PermissionDenied, ValidationError
from hague.evidence.models import Item
from hague.identify.descriptors import Descriptors
from hague.identify.records import AMInput, PMInput, add_sample, record_am_report, record_pm
from hague.identify.screening import Candidate, ScreenResult
from hague.identify.workflow import (
    confirm_match,
    match_history,
    notify_family,
    record_candidates,
    review_match,
)
from hague.ledger.attest import CHECKS
from hague.ledger.models import LogEntry
from tests.identify.conftest import Team


def _result(log10_lr: float = 8.0, remains: str = "PM-S1", mp: str = "MP1") -> ScreenResult:
    return ScreenResult([Candidate(remains, "FAM1", mp, log10_lr, 0, 21)], 10_000.0, 1, 1, 1, [])


def _candidate(hague: Hague, team: Team, log10_lr: float = 8.0, remains: str = "PM-S1", mp: str = "MP1") -> int:
    with hague.unit() as unit:
        return record_candidates(unit, team.case, _result(log10_lr, remains, mp), "pop", team.investigator)[0].id


def _records(hague: Hague, team: Team) -> None:
    with hague.unit() as unit:
        record_am_report(
            unit,
            team.case,
            AMInput(
                missing_person="MP1",
                family_id="FAM1",
                consent_scope="identification and notification; sharing with ICMP",
                descriptors=Descriptors(sex="male", age_min=30, age_max=40, clothing="blue jacket", dental="crown 36"),
            ),
            team.investigator,
        )
        pm = record_pm(
            unit,
            team.case,
            PMInput(
                recovery_site="Forest site near Izium",
                grave="Grave 2",
                body_number="B-017",
                lat=49.2,
                lon=37.3,
                descriptors=Descriptors(sex="female", age_min=35, age_max=50, clothing="blue jacket, torn"),
            ),
            team.investigator,
        )
        add_sample(unit, team.case, "PM-S1", "remains", team.investigator, pm_code=pm.code)


def test_pm_sample_is_a_child_item_of_the_remains(hague: Hague, team: Team) -> None:
    _records(hague, team)
    with hague.reader() as session:
        items = list(session.scalars(select(Item).order_by(Item.id)))
    remains, sample = items
    assert sample.parent_item_id == remains.id
    assert sample.title == "DNA sample PM-S1"


def test_full_workflow_logs_each_step_and_rechecks(hague: Hague, team: Team) -> None:
    _records(hague, team)
    match = _candidate(hague, team)
    with hague.unit() as unit:
        review_match(unit, team.case, match, team.investigator, notes="clothing consistent")
    with hague.unit() as unit:
        confirm_match(unit, team.case, match, team.lead, board_decision="IB-2026-014", primary={"dna": "DNA-R-88"})
    with hague.unit() as unit:
        notify_family(unit, team.case, match, team.investigator, method="home visit with psychologist")
    with hague.reader() as session:
        steps = [e.step for e in match_history(session, team.case, match)]
        entries = [e for e in session.scalars(select(LogEntry).where(LogEntry.kind.like("identify.%")))]
        by_kind = {e.kind: json.loads(e.body) for e in entries}
        for kind in ("identify.candidate", "identify.reviewed", "identify.confirmed", "identify.notified"):
            assert CHECKS[kind](session, by_kind[kind]) == by_kind[kind]["record"]
    assert steps == ["candidate", "reviewed", "confirmed", "notified"]


def test_review_shows_am_and_pm_side_by_side(hague: Hague, team: Team) -> None:
    _records(hague, team)
    match = _candidate(hague, team)
    with hague.unit() as unit:
        event = review_match(unit, team.case, match, team.investigator)
    rows = {r["field"]: r for r in event.details["comparison"]}
    assert rows["sex"] == {"field": "sex", "am": "male", "pm": "female", "verdict": "inconsistent"}
    assert rows["age"]["verdict"] == "consistent"
    assert rows["clothing"]["verdict"] == "to review"
    assert event.details["inconsistent"] == ["sex"]
    assert event.details["am"].endswith("-AM-0001") and event.details["pm"].endswith("-PM-0001")


def test_confirmation_needs_a_primary_identifier_or_a_documented_decision(hague: Hague, team: Team) -> None:
    match = _candidate(hague, team)
    with hague.unit() as unit:
        review_match(unit, team.case, match, team.investigator)
    with pytest.raises(ValidationError, match="justification is required"), hague.unit() as unit:
        confirm_match(unit, team.case, match, team.lead, board_decision="IB-1")
    with hague.unit() as unit:
        why = "Dental chart and healed fracture of the left femur agree; DNA degraded."
        confirm_match(unit, team.case, match, team.lead, board_decision="IB-1", justification=why)


def test_dna_below_threshold_is_not_a_primary_identifier(hague: Hague, team: Team) -> None:
    match = _candidate(hague, team, log10_lr=3.5)
    with hague.unit() as unit:
        review_match(unit, team.case, match, team.investigator)
    with pytest.raises(ValidationError, match="only at LR >= 10000"), hague.unit() as unit:
        confirm_match(unit, team.case, match, team.lead, board_decision="IB-2", primary={"dna": "DNA-1"})
    with hague.unit() as unit:
        confirm_match(unit, team.case, match, team.lead, board_decision="IB-2", primary={"dental": "ODONT-7"})


def test_no_confirmation_before_review(hague: Hague, team: Team) -> None:
    match = _candidate(hague, team)
    with pytest.raises(Conflict, match="must be reviewed"), hague.unit() as unit:
        confirm_match(unit, team.case, match, team.lead, board_decision="IB-3", primary={"dna": "R"})


def test_only_the_case_lead_records_a_board_decision(hague: Hague, team: Team) -> None:
    match = _candidate(hague, team)
    with hague.unit() as unit:
        review_match(unit, team.case, match, team.investigator)
    for who in (team.investigator, team.viewer):
        with pytest.raises(PermissionDenied), hague.unit() as unit:
            confirm_match(unit, team.case, match, who, board_decision="IB-4", primary={"dna": "R"})


def test_viewer_cannot_record_candidates(hague: Hague, team: Team) -> None:
    with pytest.raises(PermissionDenied), hague.unit() as unit:
        record_candidates(unit, team.case, _result(), "pop", team.viewer)


def test_remains_are_identified_once(hague: Hague, team: Team) -> None:
    first = _candidate(hague, team, mp="MP1")
    second = _candidate(hague, team, mp="MP2")
    for match in (first, second):
        with hague.unit() as unit:
            review_match(unit, team.case, match, team.investigator)
    with hague.unit() as unit:
        confirm_match(unit, team.case, first, team.lead, board_decision="IB-5", primary={"dna": "R1"})
    with pytest.raises(Conflict, match="already identified"), hague.unit() as unit:
        confirm_match(unit, team.case, second, team.lead, board_decision="IB-6", primary={"dna": "R2"})


def test_notification_waits_for_confirmation(hague: Hague, team: Team) -> None:
    match = _candidate(hague, team)
    with pytest.raises(Conflict), hague.unit() as unit:
        notify_family(unit, team.case, match, team.investigator, method="visit")


def test_am_report_needs_consent_scope(hague: Hague, team: Team) -> None:
    with pytest.raises(ValidationError, match="consent scope is required"), hague.unit() as unit:
        record_am_report(unit, team.case, AMInput(missing_person="MP9", consent_scope=" "), team.investigator)


def test_pm_record_needs_body_or_bag_number(hague: Hague, team: Team) -> None:
    with pytest.raises(ValidationError, match="body or bag number"), hague.unit() as unit:
        record_pm(unit, team.case, PMInput(recovery_site="Site A"), team.investigator)


def test_recording_candidates_twice_keeps_one_match(hague: Hague, team: Team) -> None:
    _candidate(hague, team)
    with hague.unit() as unit:
        again = record_candidates(unit, team.case, _result(), "pop", team.investigator)
    assert again == []
