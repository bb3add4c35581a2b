"""Fixtures for testimony: a vault key, users holding each role, and a complete interview record."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from sqlalchemy.orm import Session

from hague.access import roles
from hague.access.roles import ROLES
from hague.core import Hague
from hague.evidence import register
from hague.evidence.models import User
from hague.testimony.identity import Identity, parse_identity
from hague.testimony.vault import MasterKey, Vault

PARTNER = "PGO"


@pytest.fixture
def vault(hague: Hague) -> Vault:
    """A vault under a fresh master key (also placed in the instance's settings)."""
    key = MasterKey.generate()
    hague.settings.master_key = key.encode()
    return Vault(key)


@pytest.fixture
def case(hague: Hague, case_code: str) -> str:
    """The test case, a partner organisation, and one user per role (`<role>-user`), plus an outsider."""
    with hague.unit() as unit:
        register.create_organisation(unit, PARTNER, "Prosecutor General's Office")
        for role in ROLES:
            roles.create_user(unit, f"{role}-user", role, "OTP", clearance="strictly_confidential")
            roles.grant_role(unit, case_code, f"{role}-user", role)
        roles.create_user(unit, "norole-user", "no role", "OTP")
        roles.create_user(unit, "partner-user", "partner", PARTNER)
    return case_code


def cli_app() -> typer.Typer:
    """The `hague` root (global options) with the testimony commands only.

    `hague witness` is also claimed by the ledger's log-witness commands (reported to the lead); this
    app keeps the testimony CLI testable whichever registration wins in `hague.cli.main`.
    """
    from hague.cli import testimony as testimony_cli
    from hague.cli.main import main

    app = typer.Typer()
    app.callback()(main)
    testimony_cli.register(app)
    return app


def user(source: Hague | Session, username: str) -> User:
    """Load a user (inside an open session MUST pass that session: SQLite sessions do not nest)."""
    if isinstance(source, Session):
        return roles.get_user(source, username)
    with source.reader() as session:
        return roles.get_user(session, username)


IDENTITY: dict[str, Any] = {
    "given_name": "Оксана",
    "family_name": "Гордієнко",
    "patronymic": "Петрівна",
    "names_original": ["Гордієнко Оксана Петрівна"],
    "transliterations": ["Hordiienko Oksana Petrivna"],
    "date_of_birth": "1979-11-23",
    "phones": ["+380671112233"],
    "emails": ["oksana.h@example.org"],
    "address": "вул. Садова 14, Ірпінь",
    "relatives": [{"relation": "son", "name": "Тарас Гордієнко", "contact": "+380509998877"}],
}


@pytest.fixture
def identity() -> Identity:
    """A full identity (fictional)."""
    return parse_identity(IDENTITY)


def interview_data(**changes: Any) -> dict[str, Any]:
    """A complete interview record; `changes` override fields."""
    data: dict[str, Any] = {
        "interview_date": "2026-10-01",
        "start_time": "10:00",
        "end_time": "12:30",
        "timezone": "Europe/Kyiv",
        "place": "OTP field office, Kyiv",
        "interviewers": ["investigator-user"],
        "interpreter": "interpreter no. 4",
        "persons_present": ["psychosocial support officer"],
        "languages": ["uk", "en"],
        "vulnerability": "bereaved; signs of trauma",
        "protection_needs": "no public exposure",
        "referrals": ["psychosocial support"],
        "breaks": [{"start": "11:00", "end": "11:15", "reason": "rest"}],
        "recording_method": "audio",
        "read_back": True,
        "signed": True,
        "consent": {
            "given": True,
            "given_on": "2026-10-01",
            "form": "written",
            "scope": ["investigation", "prosecution"],
            "partners": [PARTNER],
            "defence_disclosure": True,
            "withdrawal_effects": "testimony withdrawn from the partner's view and later exports",
        },
    }
    data.update(changes)
    return data


@pytest.fixture
def witness(hague: Hague, vault: Vault, case: str, identity: Identity) -> str:
    """A registered witness; returns its pseudonym."""
    from hague.testimony.witnesses import add_witness

    with hague.unit() as unit:
        added = add_witness(unit, vault, case, identity, roles.get_user(unit.session, "investigator-user"))
    return added.witness.pseudonym


@pytest.fixture
def interview_ern(hague: Hague, witness: str) -> str:
    """A complete interview of the witness; returns its testimony item's ERN."""
    from hague.testimony.interviews import add_interview, parse_interview

    with hague.unit() as unit:
        investigator = roles.get_user(unit.session, "investigator-user")
        created = add_interview(unit, witness, parse_interview(interview_data()), investigator)
        return created.item.ern
