"""The identification workflow: candidate -> reviewed -> confirmed -> family notified (DVI reconciliation).

Each step is a `MatchEvent` row and a log entry `identify.<step>` in the same transaction. A match is
confirmed only by an identification board decision, and only with a primary identifier (a DNA LR at or
above the screening threshold, fingerprints or dental, each with its evidence reference) or, without
one, a documented justification of the board.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.core import Unit
from hague.errors import Conflict, NotFound, ValidationError
from hague.evidence.models import Case
from hague.evidence.register import _check_text, get_case
from hague.identify.descriptors import Descriptors, compare
from hague.identify.models import AMReport, Match, MatchEvent, PMRecord, Sample
from hague.identify.records import WRITERS, authorise
from hague.identify.screening import ScreenResult
from hague.ledger.canonical import decimal_text, record_hash

BOARD = frozenset({"case_lead", "admin"})
PRIMARY = ("dna", "fingerprints", "dental")
NEXT = {"reviewed": "candidate", "confirmed": "reviewed", "notified": "confirmed"}
MIN_JUSTIFICATION = 30


def event_record(event: MatchEvent, match: Match, case_code: str) -> dict[str, Any]:
    """The attested form of one workflow step (with the match it moves)."""
    return {
        "case": case_code,
        "match": match.id,
        "remains": match.remains,
        "family": match.family_id,
        "missing_person": match.missing_person,
        "log10_lr": match.log10_lr,
        "exclusions": match.exclusions,
        "markers": match.markers,
        "database": match.database,
        "threshold": match.threshold,
        "step": event.step,
        "by": event.by,
        "at": event.at,
        "details": dict(event.details or {}),
    }


def _step(unit: Unit, match: Match, case: Case, step: str, by: str, details: dict[str, Any]) -> MatchEvent:
    event = MatchEvent(match_id=match.id, step=step, by=by, details=details)
    match.state = step
    unit.session.add(event)
    unit.session.flush()
    unit.attest(
        f"identify.{step}",
        {
            "case": case.code,
            "match": match.id,
            "event": event.id,
            "record": record_hash(event_record(event, match, case.code)),
        },
    )
    return event


def record_candidates(unit: Unit, case_code: str, result: ScreenResult, database: str, by: str) -> list[Match]:
    """Turn screening hits into candidate matches (an existing match for the same pair is left as it is)."""
    case = get_case(unit.session, case_code)
    actor = authorise(unit.session, by, case, WRITERS)
    made: list[Match] = []
    for c in result.candidates:
        existing = unit.session.scalar(
            select(Match).where(
                Match.case_id == case.id,
                Match.remains == c.remains,
                Match.family_id == c.family,
                Match.missing_person == c.missing_person,
            )
        )
        if existing is not None:
            continue
        match = Match(
            case_id=case.id,
            remains=c.remains,
            family_id=c.family,
            missing_person=c.missing_person,
            log10_lr=decimal_text(c.log10_lr) or "",
            exclusions=c.exclusions,
            markers=c.markers,
            database=database,
            threshold=decimal_text(result.threshold) or "",
        )
        unit.session.add(match)
        unit.session.flush()
        _step(unit, match, case, "candidate", actor, {})
        made.append(match)
    return made


def get_match(session: Session, case_code: str, match_id: int) -> Match:
    """A match of the case."""
    case = get_case(session, case_code)
    match = session.get(Match, match_id)
    if match is None or match.case_id != case.id:
        raise NotFound(f"no match {match_id} in {case.code}")
    return match


def _require_state(match: Match, step: str) -> None:
    if match.state != NEXT[step]:
        raise Conflict(f"match {match.id} is {match.state}; it must be {NEXT[step]} to be {step}")


def side_by_side(session: Session, match: Match) -> dict[str, Any]:
    """The AM report of the missing person and the PM record of the remains, compared field by field."""
    am = session.scalar(
        select(AMReport).where(
            AMReport.case_id == match.case_id,
            AMReport.family_id == match.family_id,
            AMReport.missing_person == match.missing_person,
        )
    )
    sample = session.scalar(select(Sample).where(Sample.case_id == match.case_id, Sample.barcode == match.remains))
    pm = session.get(PMRecord, sample.pm_id) if sample is not None and sample.pm_id else None
    am_desc = Descriptors.from_dict(am.descriptors) if am else Descriptors()
    if pm is not None:
        pm_desc = Descriptors.from_dict(pm.descriptors)
    elif sample is not None:
        pm_desc = Descriptors(sex=sample.sex, age_min=sample.age_min, age_max=sample.age_max)
    else:
        pm_desc = Descriptors()
    return {"am": am.code if am else None, "pm": pm.code if pm else None, "comparison": compare(am_desc, pm_desc)}


def review_match(unit: Unit, case_code: str, match_id: int, by: str, notes: str = "") -> MatchEvent:
    """Review a candidate: secondary identifiers of AM and PM side by side, with the reviewer's notes."""
    case = get_case(unit.session, case_code)
    actor = authorise(unit.session, by, case, WRITERS)
    match = get_match(unit.session, case.code, match_id)
    _require_state(match, "reviewed")
    details = side_by_side(unit.session, match)
    details["notes"] = _check_text(notes, "notes", 5000, required=False)
    details["inconsistent"] = [row["field"] for row in details["comparison"] if row["verdict"] == "inconsistent"]
    return _step(unit, match, case, "reviewed", actor, details)


def confirm_match(
    unit: Unit,
    case_code: str,
    match_id: int,
    by: str,
    *,
    board_decision: str,
    primary: dict[str, str] | None = None,
    justification: str = "",
) -> MatchEvent:
    """Confirm by a board decision; `primary` maps dna/fingerprints/dental to its evidence reference."""
    case = get_case(unit.session, case_code)
    actor = authorise(unit.session, by, case, BOARD)
    match = get_match(unit.session, case.code, match_id)
    _require_state(match, "confirmed")
    decision = _check_text(board_decision, "board decision", 300)
    primary = {k: _check_text(v, f"{k} reference", 300) for k, v in (primary or {}).items()}
    unknown = set(primary) - set(PRIMARY)
    if unknown:
        raise ValidationError(f"primary identifiers are {', '.join(PRIMARY)}, not {sorted(unknown)}", field="primary")
    if "dna" in primary and float(match.log10_lr) < math.log10(float(match.threshold)):
        raise ValidationError(
            f"DNA is a primary identifier only at LR >= {float(match.threshold):g}; "
            f"this match has 10^{float(match.log10_lr):.2f}",
            field="primary",
        )
    text = _check_text(justification, "justification", 5000, required=False)
    if not primary and len(text) < MIN_JUSTIFICATION:
        raise ValidationError(
            "no primary identifier (DNA, fingerprints, dental): the board's documented justification is required",
            field="justification",
        )
    for other in unit.session.scalars(
        select(Match).where(Match.case_id == case.id, Match.state.in_(("confirmed", "notified")))
    ):
        if other.remains == match.remains:
            raise Conflict(f"remains {match.remains} are already identified (match {other.id})")
        if (other.family_id, other.missing_person) == (match.family_id, match.missing_person):
            raise Conflict(f"{match.family_id}/{match.missing_person} is already identified (match {other.id})")
    details = {"board_decision": decision, "primary": primary, "justification": text}
    return _step(unit, match, case, "confirmed", actor, details)


def notify_family(
    unit: Unit, case_code: str, match_id: int, by: str, *, method: str, contact: str = "", notes: str = ""
) -> MatchEvent:
    """Record that the family was told (contact = the relative's witness pseudonym, never a name)."""
    case = get_case(unit.session, case_code)
    actor = authorise(unit.session, by, case, WRITERS)
    match = get_match(unit.session, case.code, match_id)
    _require_state(match, "notified")
    if contact:
        from hague.testimony.witnesses import get_witness

        witness = get_witness(unit.session, contact)
        if witness.case_id != case.id:
            raise NotFound(f"no witness {contact!r} in {case.code}")
        contact = witness.pseudonym
    details = {
        "method": _check_text(method, "method", 200),
        "contact": contact,
        "notes": _check_text(notes, "notes", 5000, required=False),
    }
    return _step(unit, match, case, "notified", actor, details)


def match_history(session: Session, case_code: str, match_id: int) -> list[MatchEvent]:
    """A match's steps in order."""
    match = get_match(session, case_code, match_id)
    return list(session.scalars(select(MatchEvent).where(MatchEvent.match_id == match.id).order_by(MatchEvent.id)))


def list_matches(session: Session, case_code: str) -> list[Match]:
    """All matches of a case, strongest first."""
    case = get_case(session, case_code)
    rows = list(session.scalars(select(Match).where(Match.case_id == case.id)))
    return sorted(rows, key=lambda m: (-float(m.log10_lr), m.id))
