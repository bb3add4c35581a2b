"""Consent: sharing with a partner follows the consent; a withdrawal removes the testimony from view and export."""

from __future__ import annotations

from hague.access import sharing
from hague.core import Hague
from hague.evidence.register import get_item, get_organisation
from hague.pprl.exchange import export_encodings
from hague.testimony import consent
from hague.testimony.vault import Vault
from tests.testimony.conftest import PARTNER, user

SECRET = b"partners-shared-secret-2026"


def _visible(hague: Hague, ern: str, org: str = PARTNER) -> bool:
    with hague.reader() as session:
        return consent.testimony_visible_to(session, get_item(session, ern), get_organisation(session, org).id)


def _share(hague: Hague, case: str, ern: str | None = None) -> None:
    with hague.unit() as unit:
        sharing.share(unit, case, PARTNER, user(unit.session, "case_lead-user"), ern)


def _withdraw(hague: Hague, ern: str, scope: str = "partner", org: str | None = PARTNER) -> list[str]:
    with hague.unit() as unit:
        return list(consent.withdraw_consent(unit, ern, scope, user(unit.session, "wpo-user"), org).effects)


def _exported(hague: Hague, vault: Vault, case: str) -> int:
    with hague.unit() as unit:
        return len(
            export_encodings(unit, vault, case, PARTNER, SECRET, user(unit.session, "case_lead-user"))["records"]
        )


def test_owner_always_sees_its_testimony(hague: Hague, interview_ern: str) -> None:
    assert _visible(hague, interview_ern, "OTP")


def test_unshared_testimony_is_invisible_to_the_partner(hague: Hague, interview_ern: str) -> None:
    assert not _visible(hague, interview_ern)


def test_shared_and_consented_testimony_is_visible(hague: Hague, case: str, interview_ern: str) -> None:
    _share(hague, case)
    assert _visible(hague, interview_ern)


def test_withdrawal_for_the_partner_hides_a_case_wide_share(hague: Hague, case: str, interview_ern: str) -> None:
    _share(hague, case)
    _withdraw(hague, interview_ern)
    assert not _visible(hague, interview_ern)


def test_withdrawal_revokes_the_item_share(hague: Hague, case: str, interview_ern: str) -> None:
    _share(hague, case, interview_ern)
    effects = _withdraw(hague, interview_ern)
    assert any("share with PGO revoked" in e for e in effects)
    with hague.reader() as session:
        item = get_item(session, interview_ern)
        assert get_organisation(session, PARTNER).id not in sharing.shared_organisations(session, item)


def test_withdrawal_removes_the_witness_from_later_exports_to_the_partner(
    hague: Hague, vault: Vault, case: str, interview_ern: str
) -> None:
    assert _exported(hague, vault, case) == 1
    _withdraw(hague, interview_ern)
    assert _exported(hague, vault, case) == 0


def test_withdrawal_of_all_consent_hides_from_every_partner(hague: Hague, case: str, interview_ern: str) -> None:
    _share(hague, case)
    _withdraw(hague, interview_ern, "all", None)
    assert not _visible(hague, interview_ern)


def test_defence_withdrawal_stops_disclosure_but_not_partner_view(hague: Hague, case: str, interview_ern: str) -> None:
    _share(hague, case)
    with hague.reader() as session:
        assert consent.defence_disclosable(session, get_item(session, interview_ern))
    _withdraw(hague, interview_ern, "defence", None)
    with hague.reader() as session:
        assert not consent.defence_disclosable(session, get_item(session, interview_ern))
    assert _visible(hague, interview_ern)
