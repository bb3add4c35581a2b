"""Reporters and family contacts are vault witnesses: the identify tables and the log hold pseudonyms only."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hague.access.roles import get_user
from hague.core import Hague
from hague.errors import NotFound
from hague.identify.descriptors import Descriptors
from hague.identify.models import AMReport, MatchEvent
from hague.identify.records import AMInput, record_am_report
from hague.identify.screening import Candidate, ScreenResult
from hague.identify.workflow import confirm_match, notify_family, record_candidates, review_match
from hague.ledger.models import LogEntry
from hague.testimony.identity import Identity, Relative
from hague.testimony.vault import MasterKey, Vault
from hague.testimony.witnesses import add_witness
from tests.identify.conftest import Team

MISSING_NAME = "Oleksandr Kovalenko"
REPORTER_NAME = "Halyna Kovalenko"


def _reporter(hague: Hague, team: Team) -> str:
    identity = Identity(
        given_name="Halyna",
        family_name="Kovalenko",
        relatives=[Relative(relation="son, missing since March 2022", name=MISSING_NAME)],
    )
    with hague.unit() as unit:
        added = add_witness(unit, Vault(MasterKey.generate()), team.case, identity, get_user(unit.session, "ivan"))
        return added.witness.pseudonym


def test_names_stay_in_the_vault(hague: Hague, team: Team) -> None:
    pseudonym = _reporter(hague, team)
    with hague.unit() as unit:
        record_am_report(
            unit,
            team.case,
            AMInput(
                missing_person="MP1",
                family_id="FAM1",
                reporter=pseudonym,
                consent_scope="identification",
                descriptors=Descriptors(sex="male", clothing="green parka"),
            ),
            team.investigator,
        )
        result = ScreenResult([Candidate("PM-1", "FAM1", "MP1", 9.0, 0, 21)], 1e4, 1, 1, 1, [])
        match = record_candidates(unit, team.case, result, "pop", team.investigator)[0].id
    with hague.unit() as unit:
        review_match(unit, team.case, match, team.investigator)
        confirm_match(unit, team.case, match, team.lead, board_decision="IB-9", primary={"dna": "R-9"})
        notify_family(unit, team.case, match, team.investigator, method="visit", contact=pseudonym)
    with hague.reader() as session:
        report = session.scalars(select(AMReport)).one()
        events = list(session.scalars(select(MatchEvent)))
        logs = [e.body.decode() for e in session.scalars(select(LogEntry).where(LogEntry.kind.like("identify.%")))]
    assert report.reporter == pseudonym
    stored = json.dumps([report.descriptors, report.relatives, [e.details for e in events]]) + "".join(logs)
    for name in (MISSING_NAME, REPORTER_NAME, "Kovalenko"):
        assert name not in stored


def test_unknown_reporter_pseudonym_is_refused(hague: Hague, team: Team) -> None:
    with pytest.raises(NotFound), hague.unit() as unit:
        report = AMInput("MP1", "identification", reporter="UKR-OTP-P-9999")
        record_am_report(unit, team.case, report, team.investigator)
