"""What a user may see and do: clearance vs classification, owner organisation or active share, per-case role.

The same rules are given as SQL predicates (for lists and search, applied inside the query) and as
checks on one record; a record the caller may not see is reported as NotFound, never as existing.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Literal

from sqlalchemy import ColumnElement, String, and_, bindparam, cast, exists, false, or_, select, true
from sqlalchemy.orm import Session

from hague.access.roles import clears, roles_on
from hague.errors import NotFound, PermissionDenied
from hague.evidence.models import CLASSIFICATIONS, Case, CaseRole, Item, Share, User
from hague.evidence.register import get_case

CaseAccess = Literal["owner", "case_shared", "items_shared"]

# Which per-case roles allow each write; writes also need the owner organisation.
ACTIONS: dict[str, frozenset[str]] = {
    "item.create": frozenset({"investigator", "custodian", "case_lead", "admin"}),
    "incident.create": frozenset({"investigator", "analyst", "case_lead", "admin"}),
    "share.manage": frozenset({"case_lead", "admin"}),
    "search.manage": frozenset({"case_lead", "admin"}),  # delete others' saved searches
}
CONFIDENTIAL = frozenset({"confidential", "strictly_confidential"})


def cleared_levels(user: User) -> list[str]:
    """Classification levels this user's clearance covers."""
    return [level for level in CLASSIFICATIONS if clears(user.clearance, level)]


def _active_share(org_id: int) -> ColumnElement[bool]:
    return and_(Share.organisation_id == org_id, Share.revoked_at.is_(None))


def _testimony_consented(user: User) -> ColumnElement[bool]:
    """SQL form of `hague.testimony.consent.testimony_visible_to` for a partner: a testimony is shared only if
    its interview's consent names the partner and no withdrawal (for all use, or for this partner) covers it."""
    from hague.testimony.models import ConsentWithdrawal, Interview

    # Organisation codes are [A-Z][A-Z0-9]{1,7}: no LIKE wildcards, and JSON text quotes each one.
    named = cast(Interview.consent_partners, String).like(f'%"{user.organisation.code}"%')
    withdrawn = exists(
        select(ConsentWithdrawal.id).where(
            ConsentWithdrawal.interview_id == Interview.id,
            or_(
                ConsentWithdrawal.scope == "all",
                and_(ConsentWithdrawal.scope == "partner", ConsentWithdrawal.organisation_id == user.organisation_id),
            ),
        )
    )
    consented = exists(select(Interview.id).where(Interview.item_id == Item.id, named, ~withdrawn))
    return or_(Item.kind != "testimony", consented)


def item_visible(user: User) -> ColumnElement[bool]:
    """SQL predicate on `Item`: cleared, and owned by the user's organisation (with a role) or shared with it
    (testimony only under the witness's consent to that partner)."""
    has_role = exists(select(CaseRole.role).where(CaseRole.case_id == Item.case_id, CaseRole.user_id == user.id))
    own = and_(Item.organisation_id == user.organisation_id, true() if user.is_admin else has_role)
    shared = and_(
        Item.organisation_id != user.organisation_id,
        exists(
            select(Share.id).where(
                Share.case_id == Item.case_id,
                _active_share(user.organisation_id),
                or_(Share.item_id.is_(None), Share.item_id == Item.id),
            )
        ),
        _testimony_consented(user),
    )
    return and_(Item.classification.in_(cleared_levels(user)), or_(own, shared))


def case_visible(user: User) -> ColumnElement[bool]:
    """SQL predicate on `Case`: the user's organisation owns it (with a role), or something in it is shared."""
    has_role = exists(select(CaseRole.role).where(CaseRole.case_id == Case.id, CaseRole.user_id == user.id))
    own = and_(Case.organisation_id == user.organisation_id, true() if user.is_admin else has_role)
    shared = exists(select(Share.id).where(Share.case_id == Case.id, _active_share(user.organisation_id)))
    return or_(own, and_(Case.organisation_id != user.organisation_id, shared)) if user.id else false()


def case_access(session: Session, user: User, case: Case) -> CaseAccess | None:
    """How the user reaches a case: as its owner, through a case-wide share, through item shares, or not."""
    if case.organisation_id == user.organisation_id:
        if user.is_admin or roles_on(session, user, case):
            return "owner"
        return None
    shares = list(
        session.scalars(select(Share.item_id).where(Share.case_id == case.id, _active_share(user.organisation_id)))
    )
    if not shares:
        return None
    return "case_shared" if any(item_id is None for item_id in shares) else "items_shared"


def visible_case(session: Session, user: User, code: str, *, full: bool = False) -> Case:
    """The case if the user may see it (with `full`, its incidents too); otherwise NotFound."""
    case = get_case(session, code)
    access = case_access(session, user, case)
    if access is None or (full and access == "items_shared"):
        raise NotFound(f"no case {code!r}")
    return case


def caller_key(user: User) -> tuple[Any, ...]:
    """Every attribute of a user that `item_visible` bakes into its predicate (roles and shares stay subqueries)."""
    return (user.id, user.organisation_id, user.organisation.code, user.is_admin, user.clearance)


_STATEMENTS: dict[Hashable, Any] = {}


def memoized(key: Hashable, build: Callable[[], Any]) -> Any:
    """A statement built once per key and reused: building and cache-keying a statement with the visibility
    predicate cost more than running it. Keys MUST include `caller_key` when the statement holds `item_visible`."""
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        if len(_STATEMENTS) >= 2048:
            _STATEMENTS.clear()
        stmt = _STATEMENTS[key] = build()
    return stmt


def visible_item(session: Session, user: User, ern: str) -> Item:
    """The item if the user may see it; otherwise NotFound (its existence is not revealed)."""
    stmt = memoized(
        ("visible_item", caller_key(user)), lambda: select(Item).where(Item.ern == bindparam("ern"), item_visible(user))
    )
    item: Item | None = session.scalar(stmt, {"ern": ern.strip().upper()})
    if item is None:
        raise NotFound(f"no item {ern!r}")
    return item


def may(session: Session, user: User, case: Case, action: str) -> bool:
    """True if the user may perform a write `action` on the case."""
    if case.organisation_id != user.organisation_id:
        return False
    held = roles_on(session, user, case)
    if user.is_admin:
        held.add("admin")
    return bool(held & ACTIONS[action])


def require(session: Session, user: User, case: Case, action: str) -> None:
    """Raise PermissionDenied unless `may(...)`."""
    if not may(session, user, case, action):
        raise PermissionDenied(f"{user.username} may not do {action} on case {case.code}")


def may_open_cases(user: User) -> bool:
    """Opening a case is for administrators of an organisation (they become its case lead)."""
    return user.is_admin
