"""Item lists and full-text search (SQLite FTS5 / PostgreSQL tsvector), with access control in the query.

The search index is kept by database triggers on `items` and `item_texts` (migration `web_0001`), so
every write path (library, CLI, intake, other areas) is indexed without calling this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import column, func, literal_column, select, table, text
from sqlalchemy.orm import Session, selectinload

from hague.access.policy import item_visible
from hague.core import Unit
from hague.errors import ValidationError
from hague.evidence.models import CLASSIFICATIONS, ITEM_KINDS, Item, ItemIncident, Organisation, User
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


@dataclass
class Page:
    """One page of visible items, with the cursor for the next page and facet counts."""

    items: list[Item]
    next_after: int | None = None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def _match(session: Session, words: list[str]) -> tuple[Any, Any, Any]:
    """(fts table, match predicate, rank ordering) for the session's dialect."""
    if session.get_bind().dialect.name == "sqlite":
        expr = " ".join('"' + w.replace('"', "") + '"*' for w in words)
        on = _sqlite_fts.c.rowid == Item.id
        return _sqlite_fts, text("item_search MATCH :fts_query").bindparams(fts_query=expr), (on, _sqlite_fts.c.rank)
    expr = " & ".join(w.replace("'", "") + ":*" for w in words if w.replace("'", ""))
    tsq = func.to_tsquery(literal_column("'hague_text'::regconfig"), expr)
    on = _pg_fts.c.item_id == Item.id
    return _pg_fts, _pg_fts.c.tsv.op("@@")(tsq), (on, func.ts_rank(_pg_fts.c.tsv, tsq).desc())


def _newest_first(session: Session) -> Any:
    """Order of search results: newest first, expressed so the engine walks its full-text index backwards
    (on SQLite the FTS5 rowid; ordering by the items key there would probe the index once per item)."""
    return _sqlite_fts.c.rowid.desc() if session.get_bind().dialect.name == "sqlite" else Item.id.desc()


def _filtered(session: Session, user: User, flt: ItemFilter, base: Any) -> tuple[Any, bool]:
    flt.validate()
    stmt = base.where(item_visible(user))
    if flt.case_id is not None:
        stmt = stmt.where(Item.case_id == flt.case_id)
    if flt.kind:
        stmt = stmt.where(Item.kind == flt.kind)
    if flt.classification:
        stmt = stmt.where(Item.classification == flt.classification)
    if flt.incident is not None:
        stmt = stmt.where(Item.id.in_(select(ItemIncident.item_id).where(ItemIncident.incident_id == flt.incident)))
    if flt.organisation:
        stmt = stmt.where(
            Item.organisation_id.in_(select(Organisation.id).where(Organisation.code == flt.organisation.upper()))
        )
    words = terms(flt.q) if flt.q else []
    if not words:
        return stmt, False
    fts, match, (on, _rank) = _match(session, words)
    return stmt.join(fts, on).where(match), True


def list_items(
    session: Session, user: User, flt: ItemFilter, *, limit: int = 50, after: int | None = None, offset: int = 0
) -> Page:
    """A page of the items the user may see, matching the filter: in ERN order, or newest first when searching.

    Newest-first keeps a search over a million items an index walk (ranking every match would not be).
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    stmt, searching = _filtered(session, user, flt, select(Item))
    if searching:
        stmt = stmt.order_by(_newest_first(session)).offset(offset)
    else:
        if after is not None:
            stmt = stmt.where(Item.id > after)
        stmt = stmt.order_by(Item.id).offset(offset)
    items = list(session.scalars(stmt.options(selectinload(Item.incidents)).limit(limit + 1)))
    more = len(items) > limit
    items = items[:limit]
    next_after = items[-1].id if more and items and not searching else None
    return Page(items=items, next_after=next_after)


def matching_ids(session: Session, user: User, flt: ItemFilter) -> list[int]:
    """Ids of every visible item matching the filter, in ERN order (for selections such as bundles)."""
    stmt, _ = _filtered(session, user, flt, select(Item.id))
    return list(session.scalars(stmt.order_by(Item.id)))


def facets(session: Session, user: User, flt: ItemFilter) -> dict[str, dict[str, int]]:
    """Counts of visible matching items by kind, classification and organisation (one grouped query)."""
    base = select(Item.kind, Item.classification, Item.organisation_id, func.count())
    stmt, _ = _filtered(session, user, flt, base)
    rows = session.execute(stmt.group_by(Item.kind, Item.classification, Item.organisation_id)).all()
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
