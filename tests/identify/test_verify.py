"""`hague verify` recomputes every identification record and finds tampering and unattested rows."""

from __future__ import annotations

from sqlalchemy import select

from hague.core import Hague
from hague.identify.models import Match, MatchEvent, ReferencePedigree
from hague.identify.screening import Candidate, ScreenResult
from hague.identify.workflow import confirm_match, record_candidates, review_match
from hague.ledger.fsck import verify
from tests.identify.conftest import Team, load_disaster
from tests.identify.disaster import Disaster


def _workflow(hague: Hague, team: Team) -> int:
    result = ScreenResult([Candidate("PM-1", "FAM1", "MP1", 9.0, 0, 21)], 1e4, 1, 1, 1, [])
    with hague.unit() as unit:
        match = record_candidates(unit, team.case, result, "pop", team.investigator)[0].id
    with hague.unit() as unit:
        review_match(unit, team.case, match, team.investigator)
        confirm_match(unit, team.case, match, team.lead, board_decision="IB-1", primary={"dna": "R-1"})
    return match


def test_verify_passes_on_untouched_identification_records(hague: Hague, team: Team, small_disaster: Disaster) -> None:
    load_disaster(hague, team, small_disaster)
    _workflow(hague, team)
    report = verify(hague, blobs=False)
    assert report.ok, report.findings
    assert not any(k.startswith("identify.") for k in report.counts.get("unchecked", {}))


def test_verify_finds_a_rewritten_board_decision(hague: Hague, team: Team) -> None:
    match = _workflow(hague, team)
    with hague.unit() as unit:
        event = unit.session.scalar(
            select(MatchEvent).where(MatchEvent.match_id == match, MatchEvent.step == "confirmed")
        )
        assert event is not None
        event.details = {**event.details, "board_decision": "IB-FORGED"}
    report = verify(hague, blobs=False)
    assert any("identify.confirmed" in f.subject for f in report.findings)


def test_verify_finds_a_raised_lr(hague: Hague, team: Team) -> None:
    match = _workflow(hague, team)
    with hague.unit() as unit:
        row = unit.session.get(Match, match)
        assert row is not None
        row.log10_lr = "12.0"
    report = verify(hague, blobs=False)
    assert any("identify.candidate" in f.subject for f in report.findings)


def test_verify_names_a_pedigree_slipped_in_without_a_log_entry(
    hague: Hague, team: Team, small_disaster: Disaster
) -> None:
    load_disaster(hague, team, small_disaster)
    with hague.unit() as unit:
        row = unit.session.scalars(select(ReferencePedigree)).first()
        assert row is not None
        unit.session.add(ReferencePedigree(case_id=row.case_id, family_id="FAM-X", persons=row.persons))
    report = verify(hague, blobs=False)
    assert any(f.kind == "row without entry" and "FAM-X" in f.subject for f in report.findings)
