"""Group registration of many files as items in one transaction, for intake at thousands of files/s.

Produces exactly the rows and log entries that `register.add_item` + `register.attach_file` would,
one item at a time, but with one ERN block, bulk inserts and one log append.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select

from hague.core import Unit
from hague.db.base import utcnow
from hague.evidence.counters import next_value
from hague.evidence.models import Case, File, Item
from hague.evidence.names import sanitise_name
from hague.evidence.records import file_entry, item_entry
from hague.evidence.register import ItemInput


@dataclass
class NewFile:
    """A stored blob to register as the original file of a new item."""

    sha256: str
    size: int
    mime_type: str
    name: str
    source: str = ""


@dataclass
class Registered:
    """Outcome for one NewFile: its item's ERN and whether the content was already held in the case."""

    ern: str
    existing: bool


def register_files(unit: Unit, case: Case, files: list[NewFile], template: ItemInput) -> list[Registered]:
    """Register each new content as an item with its file; content already in the case reports its ERN."""
    template.validate()
    session = unit.session
    shas = list({f.sha256 for f in files})
    held: dict[str, str] = {}
    for start in range(0, len(shas), 500):
        rows = session.execute(
            select(File.sha256, Item.ern)
            .join(Item, File.item_id == Item.id)
            .where(Item.case_id == case.id, File.derived_from_id.is_(None), File.sha256.in_(shas[start : start + 500]))
        )
        held.update({sha: ern for sha, ern in rows})
    fresh: list[NewFile] = []
    for f in files:
        if f.sha256 not in held:
            held[f.sha256] = ""  # claimed by this batch; its ERN is set below
            fresh.append(f)
    results: dict[str, str] = {}
    if fresh:
        results = _insert(unit, case, fresh, template)
    out = []
    claimed: set[str] = set()
    for f in files:
        if f.sha256 in results and f.sha256 not in claimed:
            claimed.add(f.sha256)
            out.append(Registered(results[f.sha256], existing=False))
        else:
            out.append(Registered(results.get(f.sha256) or held[f.sha256], existing=True))
    return out


def _insert(unit: Unit, case: Case, fresh: list[NewFile], template: ItemInput) -> dict[str, str]:
    session = unit.session
    last = next_value(session, f"ern:{case.code}", len(fresh))
    first = last - len(fresh) + 1
    now = utcnow()
    item_rows: list[dict[str, Any]] = []
    for number, f in zip(range(first, last + 1), fresh, strict=True):
        item_rows.append(
            {
                "case_id": case.id,
                "ern": f"{case.code}-{number:04d}",
                "kind": template.kind,
                "title": sanitise_name(f.name),
                "description": template.description,
                "collected_at": template.collected_at or now,
                "collected_tz": template.collected_tz,
                "collected_by": template.collected_by,
                "place_name": template.place_name,
                "lat": template.lat,
                "lon": template.lon,
                "accuracy_m": template.accuracy_m,
                "method": template.method,
                "tool": template.tool,
                "tool_version": template.tool_version,
                "source": sanitise_name(f.source) if f.source else template.source,
                "language": template.language,
                "classification": template.classification,
                "organisation_id": case.organisation_id,
                "parent_item_id": None,
                "extra": template.extra or {},
                "created_at": now,
            }
        )
    ids = session.execute(insert(Item).returning(Item.id, Item.ern, sort_by_parameter_order=True), item_rows).all()
    file_rows = [
        {
            "item_id": item_id,
            "sha256": f.sha256,
            "size": f.size,
            "mime_type": f.mime_type,
            "original_name": sanitise_name(f.name),
            "derived_from_id": None,
            "derivation": None,
            "reason": "",
            "ern_suffix": "",
            "created_at": now,
        }
        for (item_id, _), f in zip(ids, fresh, strict=True)
    ]
    session.execute(insert(File), file_rows)
    entries: list[tuple[str, dict[str, Any]]] = []
    for row, (item_id, _), file_row in zip(item_rows, ids, file_rows, strict=True):
        item = Item(id=item_id, **row)
        entries.append(("item.registered", item_entry(item, case)))
        entries.append(("file.added", file_entry(File(**file_row), item)))
    from hague import ledger

    unit.appended.extend(ledger.log.append_many(session, entries))
    return {f.sha256: ern for (_, ern), f in zip(ids, fresh, strict=True)}
