"""Sharing a case or an item with a partner organisation, under the owner's control (revocable, logged)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hague.core import Unit
from hague.db.base import utcnow
from hague.errors import NotFound, PermissionDenied
from hague.evidence.models import Item, Share, User
from hague.evidence.register import get_case, get_item, get_organisation
from hague.ledger.canonical import record_hash


def share_record(grant: Share, case: str, ern: str | None, organisation: str) -> dict[str, object]:
    """What a `share.granted` entry attests."""
    return {"share": grant.id, "case": case, "ern": ern, "organisation": organisation, "by": grant.granted_by}


def share(unit: Unit, case_code: str, organisation: str, by: User, ern: str | None = None) -> Share:
    """Share a whole case (or one item of it) with `organisation`; only the owner organisation may share."""
    case = get_case(unit.session, case_code)
    if by.organisation_id != case.organisation_id:
        raise PermissionDenied(f"only the owner of {case.code} can share it")
    org = get_organisation(unit.session, organisation)
    item = get_item(unit.session, ern) if ern else None
    if item is not None and item.case_id != case.id:
        raise NotFound(f"no item {ern} in case {case.code}")
    grant = Share(case_id=case.id, item_id=item.id if item else None, organisation_id=org.id, granted_by=by.username)
    unit.session.add(grant)
    unit.session.flush()
    unit.attest(
        "share.granted",
        {
            "case": case.code,
            "ern": item.ern if item else None,
            "organisation": org.code,
            "by": by.username,
            "share": grant.id,
            "record": record_hash(share_record(grant, case.code, item.ern if item else None, org.code)),
        },
    )
    return grant


def revoke(unit: Unit, case_code: str, organisation: str, by: User, ern: str | None = None) -> int:
    """Revoke active shares of the case (or of one item) with `organisation`; returns how many."""
    case = get_case(unit.session, case_code)
    if by.organisation_id != case.organisation_id:
        raise PermissionDenied(f"only the owner of {case.code} can revoke sharing")
    org = get_organisation(unit.session, organisation)
    stmt = select(Share).where(Share.case_id == case.id, Share.organisation_id == org.id, Share.revoked_at.is_(None))
    item = get_item(unit.session, ern) if ern else None
    stmt = stmt.where(Share.item_id == item.id) if item else stmt.where(Share.item_id.is_(None))
    grants = list(unit.session.scalars(stmt))
    for grant in grants:
        grant.revoked_at = utcnow()
        grant.revoked_by = by.username
    unit.session.flush()
    ids = sorted(grant.id for grant in grants)
    unit.attest(
        "share.revoked",
        {
            "case": case.code,
            "ern": item.ern if item else None,
            "organisation": org.code,
            "by": by.username,
            "shares": ids,
            "record": record_hash({"shares": ids, "by": by.username}),
        },
    )
    return len(grants)


def shared_organisations(session: Session, item: Item) -> set[int]:
    """Organisation ids that may see `item`: its owner, plus active case-wide or item shares."""
    rows = session.scalars(
        select(Share.organisation_id).where(
            Share.case_id == item.case_id,
            Share.revoked_at.is_(None),
            or_(Share.item_id.is_(None), Share.item_id == item.id),
        )
    )
    return {item.organisation_id, *rows}
