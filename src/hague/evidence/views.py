"""Plain-dict views of core records for JSON output (CLI `--json` and the API)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from hague.evidence.models import Case, File, Incident, Item, ItemIncident


def incident_ids_of_item(dialect: str) -> Any:
    """A correlated subquery of an item's incident ids, aggregated in one column (array or comma-separated text)."""
    ids = ItemIncident.incident_id
    agg = func.array_agg(ids) if dialect == "postgresql" else func.group_concat(ids)
    return select(agg).where(ItemIncident.item_id == Item.id).scalar_subquery()


def incident_ids(value: Any) -> list[int]:
    """The ids `incident_ids_of_item` aggregated, as PostgreSQL (an array) or SQLite (text) returns them; sorted."""
    if not value:
        return []
    return sorted(int(v) for v in (value.split(",") if isinstance(value, str) else value))


def case_view(case: Case, items: int | None = None) -> dict[str, Any]:
    """A case as JSON-ready data."""
    view: dict[str, Any] = {
        "code": case.code,
        "title": case.title,
        "organisation": case.organisation.code,
        "created_at": case.created_at,
    }
    if items is not None:
        view["items"] = items
    return view


def incident_view(incident: Incident) -> dict[str, Any]:
    """An incident as JSON-ready data."""
    return {
        "id": incident.id,
        "title": incident.title,
        "description": incident.description,
        "date_from": incident.date_from,
        "date_to": incident.date_to,
        "place_name": incident.place_name,
        "lat": incident.lat,
        "lon": incident.lon,
        "accuracy_m": incident.accuracy_m,
        "alleged_crimes": list(incident.alleged_crimes or []),
        "act_types": list(incident.act_types or []),
    }


def file_view(file: File) -> dict[str, Any]:
    """A stored file as JSON-ready data."""
    return {
        "id": file.id,
        "sha256": file.sha256,
        "size": file.size,
        "mime_type": file.mime_type,
        "original_name": file.original_name,
        "derivation": file.derivation,
        "derived_from_id": file.derived_from_id,
        "reason": file.reason,
        "ern_suffix": file.ern_suffix,
        "created_at": file.created_at,
    }


def item_view(item: Item, with_files: bool = False) -> dict[str, Any]:
    """An item as JSON-ready data."""
    view: dict[str, Any] = {
        "ern": item.ern,
        "kind": item.kind,
        "title": item.title,
        "description": item.description,
        "collected_at": item.collected_at,
        "collected_tz": item.collected_tz,
        "collected_by": item.collected_by,
        "place_name": item.place_name,
        "lat": item.lat,
        "lon": item.lon,
        "accuracy_m": item.accuracy_m,
        "method": item.method,
        "tool": item.tool,
        "tool_version": item.tool_version,
        "source": item.source,
        "language": item.language,
        "classification": item.classification,
        "incidents": [i.id for i in item.incidents],
    }
    if with_files:
        view["files"] = [file_view(f) for f in item.files]
    return view
