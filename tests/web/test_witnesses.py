"""Witness pages: pseudonyms only, identity shown once after a reasoned, audited reveal, never in logs."""

from __future__ import annotations

import logging

import pytest

from hague.access.roles import get_user
from hague.core import Hague
from hague.testimony.identity import Identity
from hague.testimony.vault import MasterKey, Vault
from hague.testimony.witnesses import add_witness, reveals_of
from tests.web.conftest import World, sign_in

NAME = "Коваленко"


@pytest.fixture
def database_url(sqlite_factory, tmp_path) -> str:
    return sqlite_factory.new(tmp_path)


@pytest.fixture
def pseudonym(hague: Hague, world: World) -> str:
    key = MasterKey.generate()
    hague.settings.master_key = key.encode()
    with hague.unit() as unit:
        lead = get_user(unit.session, "lead")
        identity = Identity(given_name="Олена", family_name=NAME, phones=["+380501234567"])
        return str(add_witness(unit, Vault(key), world.case, identity, lead).witness.pseudonym)


def test_witness_list_shows_pseudonyms_not_names(app_client, world: World, pseudonym: str) -> None:
    sign_in(app_client, "analyst")
    page = app_client.get(f"/cases/{world.case}/witnesses")
    assert page.status_code == 200
    assert pseudonym in page.text and NAME not in page.text


def test_user_without_reveal_role_gets_no_reveal_form(app_client, world: World, pseudonym: str) -> None:
    sign_in(app_client, "analyst")
    page = app_client.get(f"/witnesses/{pseudonym}")
    assert "Reveal identity" not in page.text and NAME not in page.text


def test_reveal_with_a_reason_shows_the_identity_once_and_is_audited(
    app_client, hague: Hague, world: World, pseudonym: str, caplog: pytest.LogCaptureFixture
) -> None:
    csrf = sign_in(app_client, "lead")
    with caplog.at_level(logging.INFO):
        shown = app_client.post(
            f"/witnesses/{pseudonym}/reveal", data={"reason": "protective measures assessment", "csrf_token": csrf}
        )
    assert shown.status_code == 200 and NAME in shown.text
    assert shown.headers["cache-control"] == "no-store"
    assert NAME not in caplog.text
    with hague.reader() as session:
        assert [r.username for r in reveals_of(session, pseudonym)] == ["lead"]
    assert NAME not in app_client.get(f"/witnesses/{pseudonym}").text


def test_reveal_without_a_real_reason_is_refused_without_the_identity(app_client, world: World, pseudonym: str) -> None:
    csrf = sign_in(app_client, "lead")
    refused = app_client.post(f"/witnesses/{pseudonym}/reveal", data={"reason": "x", "csrf_token": csrf})
    assert refused.status_code == 422 and NAME not in refused.text


def test_partner_organisation_sees_no_witnesses(app_client, world: World, pseudonym: str) -> None:
    sign_in(app_client, "partner")
    assert app_client.get(f"/cases/{world.case}/witnesses").status_code == 404
    assert app_client.get(f"/witnesses/{pseudonym}").status_code == 404


def _interview(hague: Hague, pseudonym: str, partners: list[str]) -> str:
    from hague.testimony.interviews import add_interview, parse_interview

    data = {
        "interview_date": "2026-10-01",
        "start_time": "10:00",
        "end_time": "12:30",
        "timezone": "Europe/Kyiv",
        "place": "field office",
        "interviewers": ["lead"],
        "interpreter": "",
        "persons_present": [],
        "languages": ["uk"],
        "vulnerability": "none observed",
        "protection_needs": "none",
        "referrals": [],
        "breaks": [],
        "recording_method": "audio",
        "read_back": True,
        "signed": True,
        "consent": {
            "given": True,
            "given_on": "2026-10-01",
            "form": "written",
            "scope": ["investigation", "prosecution"],
            "partners": partners,
            "defence_disclosure": False,
            "withdrawal_effects": "withdrawn from the partner's view",
        },
    }
    with hague.unit() as unit:
        lead = get_user(unit.session, "lead")
        return str(add_interview(unit, pseudonym, parse_interview(data), lead).item.ern)


def _partner_sees(hague: Hague, ern: str) -> bool:
    from sqlalchemy import select

    from hague.access.policy import item_visible
    from hague.evidence.models import Item

    with hague.reader() as session:
        partner = get_user(session, "partner")
        return session.scalar(select(Item.id).where(Item.ern == ern, item_visible(partner))) is not None


def test_shared_testimony_reaches_a_partner_only_under_the_witness_consent(
    hague: Hague, world: World, pseudonym: str
) -> None:
    from hague.access.sharing import share
    from hague.testimony.consent import withdraw_consent

    named = _interview(hague, pseudonym, ["PGO"])
    not_named = _interview(hague, pseudonym, [])
    with hague.unit() as unit:
        share(unit, world.case, "PGO", get_user(unit.session, "lead"))  # the whole case
    assert _partner_sees(hague, named)
    assert not _partner_sees(hague, not_named)
    with hague.unit() as unit:
        withdraw_consent(unit, named, "partner", get_user(unit.session, "lead"), organisation="PGO")
    assert not _partner_sees(hague, named)
