"""Consent withdrawal and who may see a testimony: the owner, and partners the witness agreed to.

A testimony item is visible to a partner organisation only while (1) the item or its case is shared
with that partner, (2) the interview's consent names the partner, and (3) no withdrawal covers it.
The web app and disclosure bundles MUST ask `testimony_visible_to` before showing or exporting one.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.access.roles import require_role
from hague.access.sharing import shared_organisations
from hague.core import Unit
from hague.db.base import utcnow
from hague.errors import ValidationError
from hague.evidence.models import Item, Organisation, Share, User
from hague.evidence.register import get_organisation
from hague.ledger.canonical import record_hash
from hague.testimony.interviews import interview_of
from hague.testimony.models import ConsentWithdrawal, Interview
from hague.testimony.policy import CONSENT

WITHDRAWAL_SCOPES = ("partner", "defence", "all")


def withdraw_consent(
    unit: Unit,
    ern: str,
    scope: str,
    by: User,
    organisation: str | None = None,
    withdrawn_on: date | None = None,
) -> ConsentWithdrawal:
    """Record a withdrawal and carry out what it triggers (revoking item shares with the partner)."""
    if scope not in WITHDRAWAL_SCOPES:
        raise ValidationError(f"scope must be one of {', '.join(WITHDRAWAL_SCOPES)}", field="scope")
    if (scope == "partner") != (organisation is not None):
        raise ValidationError(
            "name the partner organisation for (and only for) a partner withdrawal", field="organisation"
        )
    session = unit.session
    interview = interview_of(session, ern)
    case = interview.witness.case
    require_role(session, by, case, CONSENT)
    withdrawn_on = withdrawn_on or utcnow().date()
    if withdrawn_on < interview.consent_given_on:
        raise ValidationError("consent cannot be withdrawn before it was given", field="withdrawn_on")
    org = get_organisation(session, organisation) if organisation else None
    effects: list[str] = []
    shares = select(Share).where(Share.item_id == interview.item_id, Share.revoked_at.is_(None))
    if org is not None:
        shares = shares.where(Share.organisation_id == org.id)
    if scope != "defence":
        for grant in session.scalars(shares):
            grant.revoked_at = utcnow()
            grant.revoked_by = by.username
            partner = session.get(Organisation, grant.organisation_id)
            effects.append(f"item share with {partner.code if partner else grant.organisation_id} revoked")
        target = org.code if org else "all partners"
        effects.append(f"hidden from {target} and excluded from later exports to {target}")
    else:
        effects.append("excluded from disclosure to the defence")
    withdrawal = ConsentWithdrawal(
        interview_id=interview.id,
        scope=scope,
        organisation_id=org.id if org else None,
        withdrawn_on=withdrawn_on,
        recorded_by=by.username,
        effects=effects,
    )
    session.add(withdrawal)
    session.flush()
    unit.attest(
        "consent.withdrawn",
        {
            "ern": interview.item.ern,
            "withdrawal": withdrawal.id,
            "scope": scope,
            "organisation": org.code if org else None,
            "record": record_hash(withdrawal_record(withdrawal, interview.item.ern, org.code if org else None)),
        },
    )
    return withdrawal


def withdrawal_record(withdrawal: ConsentWithdrawal, ern: str, organisation: str | None) -> dict[str, object]:
    """The attested record of a withdrawal."""
    return {
        "ern": ern,
        "scope": withdrawal.scope,
        "organisation": organisation,
        "withdrawn_on": withdrawal.withdrawn_on,
        "recorded_by": withdrawal.recorded_by,
        "effects": list(withdrawal.effects),
    }


def testimony_visible_to(session: Session, item: Item, organisation_id: int) -> bool:
    """True if `organisation_id` may see (and receive in exports) this item under sharing and consent."""
    if organisation_id == item.organisation_id:
        return True
    if organisation_id not in shared_organisations(session, item):
        return False
    if item.kind != "testimony":
        return True
    interview = session.scalar(select(Interview).where(Interview.item_id == item.id))
    if interview is None:
        return False  # a testimony without a consent record is never shared
    return consents_to_partner(session, interview, organisation_id)


def consents_to_partner(session: Session, interview: Interview, organisation_id: int) -> bool:
    """True if the interview's consent names the partner and no withdrawal covers it."""
    org = session.get(Organisation, organisation_id)
    if org is None or org.code not in interview.consent_partners:
        return False
    withdrawn = session.scalar(
        select(ConsentWithdrawal.id).where(
            ConsentWithdrawal.interview_id == interview.id,
            (ConsentWithdrawal.scope == "all")
            | ((ConsentWithdrawal.scope == "partner") & (ConsentWithdrawal.organisation_id == organisation_id)),
        )
    )
    return withdrawn is None


def defence_disclosable(session: Session, item: Item) -> bool:
    """True if the testimony may be disclosed to the defence under its consent (and no withdrawal)."""
    interview = session.scalar(select(Interview).where(Interview.item_id == item.id))
    if interview is None:
        return item.kind != "testimony"
    if not interview.consent_defence:
        return False
    withdrawn = session.scalar(
        select(ConsentWithdrawal.id).where(
            ConsentWithdrawal.interview_id == interview.id, ConsentWithdrawal.scope.in_(("all", "defence"))
        )
    )
    return withdrawn is None


def visible_items(session: Session, items: list[Item], organisation_id: int) -> list[Item]:
    """The items of `items` that `organisation_id` may see or receive in an export."""
    return [item for item in items if testimony_visible_to(session, item, organisation_id)]
