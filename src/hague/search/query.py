"""Item lists and full-text search (SQLite FTS5 / PostgreSQL tsvector), with access control in the query.

The search index is kept by database triggers on `items` and `item_texts` (migration `web_0001`), so
every write path (library, CLI, intake, other areas) is indexed without calling this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import String, bindparam, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session, aliased

from hague.access.policy import caller_key, item_visible, memoized
from hague.core import Unit
from hague.errors import ValidationError
from hague.evidence.models import CLASSIFICATIONS, ITEM_KINDS, Case, Item, ItemIncident, Organisation, User, case_code
from hague.evidence.views import incident_ids, incident_ids_of_item
from hague.search.models import ItemText

WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 12
MAX_QUERY = 500
MAX_LIMIT = 200
TEXT_SOURCES = ("transcript", "extracted", "ocr", "translation", "note")
_sqlite_fts = table("item_search", column("rowid"), column("title"), column("rank"))
_pg_fts = table("item_search", column("item_id"), column("tsv"))


def terms(query: str) -> list[str]:
    """The words of a search query (lower-cased, at most 12), refusing control characters and overlong input."""
    if len(query) > MAX_QUERY:
        raise ValidationError(f"search text is longer than {MAX_QUERY} characters", field="q")
    if any(ord(ch) < 32 for ch in query) or "\ufffd" in query:
        raise ValidationError("search text contains control characters or invalid UTF-8", field="q")
    words = [w.lower()[:64] for w in WORD.findall(query)]
    return words[:MAX_TERMS]


@dataclass
class ItemFilter:
    """Filters of an item list; `q` is full-text, the rest are facets."""

    case_id: int | None = None
    q: str = ""
    kind: str | None = None
    classification: str | None = None
    incident: int | None = None
    organisation: str | None = None

    def validate(self) -> None:
        """Refuse unknown facet values with a clear message."""
        if self.kind and self.kind not in ITEM_KINDS:
            raise ValidationError(f"kind must be one of {', '.join(ITEM_KINDS)}", field="kind")
        if self.classification and self.classification not in CLASSIFICATIONS:
            raise ValidationError(f"classification must be one of {', '.join(CLASSIFICATIONS)}", field="classification")


class ItemSummary(NamedTuple):
    """An item as lists and search show it: its fields, its case's and organisation's codes, its incident ids."""

    id: int
    ern: str
    case: str
    kind: str
    title: str
    description: str
    collected_at: datetime | None
    collected_tz: str
    collected_by: str
    place_name: str
    lat: float | None
    lon: float | None
    method: str
    source: str
    language: str
    classification: str
    organisation: str
    incidents: list[int]

    def out(self) -> dict[str, Any]:
        """The item as the API returns it in lists (without its database id)."""
        out = self._asdict()
        del out["id"]
        return out


@dataclass
class Page:
    """One page of visible items, with the cursor for the next page and facet counts."""

    items: list[ItemSummary]
    next_after: int | None = None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def _fts_query(session: Session, words: list[str]) -> str:
    """The full-text query for the dialect: FTS5 prefix phrases, or a PostgreSQL tsquery of prefixes."""
    if session.get_bind().dialect.name == "sqlite":
        return " ".join('"' + w.replace('"', "") + '"*' for w in words)
    return " & ".join(w.replace("'", "") + ":*" for w in words if w.replace("'", ""))


def _match(session: Session) -> tuple[Any, Any, Any]:
    """(fts table, join condition, match predicate on the bound `fts_query`) for the session's dialect."""
    if session.get_bind().dialect.name == "sqlite":
        match = text("item_search MATCH :fts_query").bindparams(bindparam("fts_query", type_=String))
        return _sqlite_fts, _sqlite_fts.c.rowid == Item.id, match
    tsq = func.to_tsquery(literal_column("'hague_text'::regconfig"), bindparam("fts_query", type_=String))
    return _pg_fts, _pg_fts.c.item_id == Item.id, _pg_fts.c.tsv.op("@@")(tsq)


def _newest_first(session: Session) -> Any:
    """Order of search results: newest first, expressed so the engine walks its full-text index backwards
    (on SQLite the FTS5 rowid; ordering by the items key there would probe the index once per item)."""
    return _sqlite_fts.c.rowid.desc() if session.get_bind().dialect.name == "sqlite" else Item.id.desc()


def _params(session: Session, flt: ItemFilter) -> dict[str, Any]:
    """The values a filter binds, by parameter name; which names are present is the statement's shape."""
    flt.validate()
    values = {"case_id": flt.case_id, "kind": flt.kind, "classification": flt.classification}
    values |= {"incident": flt.incident, "organisation": flt.organisation.upper() if flt.organisation else None}
    words = terms(flt.q) if flt.q else []
    values["fts_query"] = _fts_query(session, words) if words else None
    return {name: value for name, value in values.items() if value is not None and value != ""}


def _filtered(session: Session, user: User, flt: ItemFilter, base: Any) -> tuple[Any, bool, dict[str, Any]]:
    """The statement with the caller's visibility and the filter applied, whether it searches, and its parameters.

    Filter values are bound parameters, so one statement serves every request of the same shape (see `_memo`).
    """
    params = _params(session, flt)
    stmt = base.where(item_visible(user))
    for name, col in (("case_id", Item.case_id), ("kind", Item.kind), ("classification", Item.classification)):
        if name in params:
            stmt = stmt.where(col == bindparam(name))
    if "incident" in params:
        stmt = stmt.where(
            Item.id.in_(select(ItemIncident.item_id).where(ItemIncident.incident_id == bindparam("incident")))
        )
    if "organisation" in params:
        stmt = stmt.where(
            Item.organisation_id.in_(select(Organisation.id).where(Organisation.code == bindparam("organisation")))
        )
    if "fts_query" not in params:
        return stmt, False, params
    fts, on, match = _match(session)
    return stmt.join(fts, on).where(match), True, params


_case_org = aliased(Organisation)


def _summaries(dialect: str) -> Any:
    """SELECT of what `ItemSummary` holds: item columns, case and owner codes, incident ids aggregated per item."""
    incidents = incident_ids_of_item(dialect)
    columns: list[Any] = [Item.id, Item.ern, Case.situation, _case_org.code, Case.number, Item.kind, Item.title]
    columns += [Item.description, Item.collected_at, Item.collected_tz, Item.collected_by, Item.place_name]
    columns += [Item.lat, Item.lon, Item.method, Item.source, Item.language, Item.classification]
    return (
        select(*columns, Organisation.code, incidents)
        .join(Case, Case.id == Item.case_id)
        .join(_case_org, _case_org.id == Case.organisation_id)
        .join(Organisation, Organisation.id == Item.organisation_id)
    )


def _memo(session: Session, user: User, flt: ItemFilter, after: int | None) -> tuple[Any, bool, dict[str, Any]]:
    """The page statement for this caller and filter shape, built once and reused (building and cache-keying a
    statement cost more than running it). The key holds every caller attribute the visibility predicate reads;
    roles and shares stay subqueries, so a revoked role or share takes effect on the next request."""
    params = _params(session, flt)
    searching = "fts_query" in params
    if after is not None and not searching:
        params["after"] = after
    dialect = session.get_bind().dialect.name

    def build() -> Any:
        stmt, _, _ = _filtered(session, user, flt, _summaries(dialect))
        if searching:
            stmt = stmt.order_by(_newest_first(session))
        else:
            stmt = stmt.where(Item.id > bindparam("after")) if "after" in params else stmt
            stmt = stmt.order_by(Item.id)
        return stmt.offset(bindparam("offset")).limit(bindparam("limit"))

    stmt = memoized(("list_items", dialect, caller_key(user), frozenset(params)), build)
    return stmt, searching, params


def _summary(row: Any) -> ItemSummary:
    """An `ItemSummary` from a row of `_summaries`."""
    item_id, ern, situation, case_org, number, *fields, org, incidents = row
    case = case_code(situation, case_org, number)
    return ItemSummary(item_id, ern, case, *fields, org, incident_ids(incidents))  # type: ignore[call-arg]


def item_summary(session: Session, item_id: int) -> ItemSummary:
    """The summary of one item the caller was already found to see (one statement, built once per dialect)."""
    dialect = session.get_bind().dialect.name
    stmt = memoized(("item_summary", dialect), lambda: _summaries(dialect).where(Item.id == bindparam("item_id")))
    return _summary(session.execute(stmt, {"item_id": item_id}).one())


def list_items(
    session: Session, user: User, flt: ItemFilter, *, limit: int = 50, after: int | None = None, offset: int = 0
) -> Page:
    """A page of the items the user may see, matching the filter: in ERN order, or newest first when searching.

    Newest-first keeps a search over a million items an index walk (ranking every match would not be).
    Rows, not ORM objects: a page is read in one statement with its codes and incident ids.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    stmt, searching, params = _memo(session, user, flt, after)
    params.update(offset=offset, limit=limit + 1)
    items = [_summary(row) for row in session.execute(stmt, params)]
    more = len(items) > limit
    items = items[:limit]
    next_after = items[-1].id if more and items and not searching else None
    return Page(items=items, next_after=next_after)


def matching(session: Session, user: User, flt: ItemFilter, *columns: Any) -> list[Any]:
    """`columns` of every visible item matching the filter, in ERN order (all of them: no page size)."""
    stmt, _, params = _filtered(session, user, flt, select(*columns))
    return list(session.execute(stmt.order_by(Item.id), params))


def matching_ids(session: Session, user: User, flt: ItemFilter) -> list[int]:
    """Ids of every visible item matching the filter, in ERN order (for selections such as bundles)."""
    return [item_id for (item_id,) in matching(session, user, flt, Item.id)]


def facets(session: Session, user: User, flt: ItemFilter) -> dict[str, dict[str, int]]:
    """Counts of visible matching items by kind, classification and organisation (one grouped query)."""
    base = select(Item.kind, Item.classification, Item.organisation_id, func.count())
    stmt, _, params = _filtered(session, user, flt, base)
    rows = session.execute(stmt.group_by(Item.kind, Item.classification, Item.organisation_id), params).all()
    codes = {org_id: code for org_id, code in session.execute(select(Organisation.id, Organisation.code))}
    out: dict[str, dict[str, int]] = {"kind": {}, "classification": {}, "organisation": {}}
    for kind, level, org_id, n in rows:
        for name, value in (("kind", kind), ("classification", level), ("organisation", codes.get(org_id, ""))):
            out[name][str(value)] = out[name].get(str(value), 0) + int(n)
    return out


def add_text(unit: Unit, item: Item, source: str, body: str) -> ItemText:
    """Index extra text of an item (a transcript, extracted text...); the index updates in the same transaction."""
    if source not in TEXT_SOURCES:
        raise ValidationError(f"source must be one of {', '.join(TEXT_SOURCES)}", field="source")
    row = ItemText(item_id=item.id, source=source, text=body)
    unit.session.add(row)
    unit.session.flush()
    return row
