"""Saved searches: a named item filter of a case, to re-run later or to select the items of a bundle.

Only the filter is kept, never its results: running a saved search applies the runner's own access, so a
shared definition never shows anyone more than they may see. Shared searches are listed to the members of
the owner's organisation who can reach the case; private ones only to their owner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError as DBIntegrityError
from sqlalchemy.orm import Session

from hague.access.policy import may, visible_case
from hague.access.roles import get_user
from hague.core import Unit
from hague.errors import Conflict, NotFound, PermissionDenied, ValidationError
from hague.evidence.models import Case, User
from hague.search.models import SavedSearch
from hague.search.query import ItemFilter, matching_ids, terms

NAME = re.compile(r"^[\w][\w .,:()'-]{0,79}$", re.UNICODE)
FILTER_FIELDS = ("q", "kind", "classification", "incident", "organisation")


@dataclass(frozen=True)
class SavedView:
    """A saved search as shown to users and scripts."""

    name: str
    case: str
    owner: str
    shared: bool
    filters: dict[str, Any]

    def to_filter(self, case_id: int | None = None) -> ItemFilter:
        """The item filter this search stands for (within the case of that id, when given)."""
        return ItemFilter(case_id=case_id, **self.filters)


def _clean_name(name: str) -> str:
    name = name.strip()
    if not NAME.match(name):
        raise ValidationError(
            "a saved search's name is 1-80 letters, digits, spaces or . , : ( ) ' - and starts with a letter or digit",
            field="name",
        )
    return name


def _filters(flt: ItemFilter) -> dict[str, Any]:
    """The filter's fields worth keeping (empty ones dropped), after validation."""
    flt.validate()
    if flt.q:
        terms(flt.q)  # refuses control characters and overlong text now, not when the search is run
    return {name: getattr(flt, name) for name in FILTER_FIELDS if getattr(flt, name) not in (None, "")}


def _view(row: SavedSearch, case: Case, owner: str) -> SavedView:
    return SavedView(row.name, case.code, owner, row.shared, dict(row.filters))


def save_search(
    unit: Unit, username: str, case_code: str, name: str, flt: ItemFilter, *, shared: bool = False
) -> SavedView:
    """Keep a filter under a name unique in the case; anyone who can reach the case may save one."""
    user = get_user(unit.session, username)
    case = visible_case(unit.session, user, case_code)
    row = SavedSearch(case_id=case.id, owner_id=user.id, name=_clean_name(name), filters=_filters(flt), shared=shared)
    try:
        with unit.session.begin_nested():
            unit.session.add(row)
            unit.session.flush()
    except DBIntegrityError as exc:
        raise Conflict(f"case {case.code} already has a saved search named {row.name!r}", field="name") from exc
    return _view(row, case, user.username)


def _listable(user: User) -> Any:
    """SQL predicate: the user's own searches and those shared within the user's organisation."""
    same_org = select(User.id).where(User.organisation_id == user.organisation_id)
    return or_(SavedSearch.owner_id == user.id, SavedSearch.shared.is_(True) & SavedSearch.owner_id.in_(same_org))


def list_saved(session: Session, username: str, case_code: str) -> list[SavedView]:
    """The saved searches of a case the user may list, by name."""
    user = get_user(session, username)
    case = visible_case(session, user, case_code)
    rows = session.execute(
        select(SavedSearch, User.username)
        .join(User, User.id == SavedSearch.owner_id)
        .where(SavedSearch.case_id == case.id, _listable(user))
        .order_by(SavedSearch.name)
    ).all()
    return [_view(row, case, owner) for row, owner in rows]


def _find(session: Session, user: User, case: Case, name: str) -> tuple[SavedSearch, str]:
    found = session.execute(
        select(SavedSearch, User.username)
        .join(User, User.id == SavedSearch.owner_id)
        .where(SavedSearch.case_id == case.id, SavedSearch.name == name.strip(), _listable(user))
    ).first()
    if found is None:
        raise NotFound(f"no saved search {name.strip()!r} in case {case.code}")
    return found[0], found[1]


def get_saved(session: Session, username: str, case_code: str, name: str) -> SavedView:
    """One saved search the user may list; NotFound otherwise (a private one is not revealed)."""
    user = get_user(session, username)
    case = visible_case(session, user, case_code)
    row, owner = _find(session, user, case, name)
    return _view(row, case, owner)


def run_saved(session: Session, username: str, case_code: str, name: str) -> list[int]:
    """Ids of the items the saved search matches now, among those the user may see, in ERN order."""
    user = get_user(session, username)
    case = visible_case(session, user, case_code)
    row, owner = _find(session, user, case, name)
    return matching_ids(session, user, _view(row, case, owner).to_filter(case.id))


def delete_saved(unit: Unit, username: str, case_code: str, name: str) -> None:
    """Forget a saved search: its owner may, and so may the case's lead or an administrator."""
    user = get_user(unit.session, username)
    case = visible_case(unit.session, user, case_code)
    row, _owner = _find(unit.session, user, case, name)
    if row.owner_id != user.id and not may(unit.session, user, case, "search.manage"):
        raise PermissionDenied(f"only its owner or the case lead may delete saved search {row.name!r}")
    unit.session.delete(row)
    unit.session.flush()
