"""Partner encodings taken in: a new witness the partner already heard raises a warning naming the partner and dates."""

from __future__ import annotations

from typing import Any

import pytest

from hague.access import roles
from hague.core import Hague
from hague.errors import ValidationError
from hague.evidence import register
from hague.pprl.exchange import export_encodings, import_encodings
from hague.testimony.identity import parse_identity
from hague.testimony.interviews import add_interview, parse_interview
from hague.testimony.vault import Vault
from hague.testimony.witnesses import add_witness, check_repeat
from tests.testimony.conftest import IDENTITY, interview_data, user

SECRET = b"otp-and-pgo-shared-secret-2026"


@pytest.fixture
def partner_export(hague: Hague, vault: Vault, case: str) -> dict[str, Any]:
    """PGO's own case with the same person heard on 2026-09-12, exported to OTP."""
    with hague.unit() as unit:
        pgo_case = register.create_case(unit, "PGO", "UKR", "PGO case").code
        roles.create_user(unit, "pgo-lead", "PGO lead", "PGO")
        roles.grant_role(unit, pgo_case, "pgo-lead", "case_lead")
    with hague.unit() as unit:
        lead = user(unit.session, "pgo-lead")
        heard = {**IDENTITY, "given_name": "Oksana", "family_name": "Hordiyenko", "patronymic": "Petrivna"}
        pseudonym = add_witness(unit, vault, pgo_case, parse_identity(heard), lead).witness.pseudonym
        data = interview_data(interview_date="2026-09-12")
        data["consent"] = {**data["consent"], "given_on": "2026-09-12", "partners": ["OTP"]}
        add_interview(unit, pseudonym, parse_interview(data), lead)
    with hague.unit() as unit:
        return export_encodings(unit, vault, pgo_case, "OTP", SECRET, user(unit.session, "pgo-lead"))


def _import(hague: Hague, vault: Vault, case: str, doc: dict[str, Any], secret: bytes = SECRET) -> None:
    with hague.unit() as unit:
        import_encodings(unit, vault, case, doc, secret, user(unit.session, "wpo-user"))


def test_new_witness_heard_by_the_partner_is_warned_about(
    hague: Hague, vault: Vault, case: str, partner_export: dict[str, Any]
) -> None:
    _import(hague, vault, case, partner_export)
    with hague.unit() as unit:
        added = add_witness(unit, vault, case, parse_identity(IDENTITY), user(unit.session, "investigator-user"))
    assert [(w.organisation, [d.isoformat() for d in w.heard_on], w.pseudonym) for w in added.warnings] == [
        ("PGO", ["2026-09-12"], None)
    ]
    assert "PGO" in added.warnings[0].message() and IDENTITY["family_name"] not in added.warnings[0].message()


def test_cleared_user_sees_the_partners_reference(
    hague: Hague, vault: Vault, case: str, partner_export: dict[str, Any]
) -> None:
    _import(hague, vault, case, partner_export)
    with hague.reader() as session:
        warnings = check_repeat(session, vault, case, parse_identity(IDENTITY), user(session, "wpo-user"))
    assert [w.pseudonym for w in warnings] == [partner_export["records"][0]["ref"]]


def test_another_person_raises_no_warning(
    hague: Hague, vault: Vault, case: str, partner_export: dict[str, Any]
) -> None:
    _import(hague, vault, case, partner_export)
    other = parse_identity({"given_name": "Василь", "family_name": "Мельничук", "date_of_birth": "1960-02-01"})
    with hague.reader() as session:
        assert check_repeat(session, vault, case, other, user(session, "investigator-user")) == []


def test_import_with_the_wrong_secret_is_refused(
    hague: Hague, vault: Vault, case: str, partner_export: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError, match="another shared secret"):
        _import(hague, vault, case, partner_export, SECRET + b"x")


def test_import_entry_recomputes_from_its_row(
    hague: Hague, vault: Vault, case: str, partner_export: dict[str, Any]
) -> None:
    import json

    from sqlalchemy import select

    from hague.ledger.attest import CHECKS
    from hague.ledger.models import LogEntry

    _import(hague, vault, case, partner_export)
    with hague.reader() as session:
        body = json.loads(session.scalars(select(LogEntry.body).where(LogEntry.kind == "pprl.imported")).one())
        assert CHECKS["pprl.imported"](session, body) == body["record"]
