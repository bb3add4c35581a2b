"""Canonical forms of core records: what the log attests, and what `verify` recomputes from the rows."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from hague.evidence.models import Case, File, Incident, Item
from hague.ledger.canonical import decimal_text, record_hash


def item_record(item: Item, case: Case) -> dict[str, Any]:
    """The attested core metadata of an item (files are attested by their own entries)."""
    return {
        "ern": item.ern,
        "case": case.code,
        "kind": item.kind,
        "title": item.title,
        "description": item.description,
        # UTC, as the database returns it: a zone-aware local time would hash differently once reloaded.
        "collected_at": item.collected_at.astimezone(UTC) if item.collected_at else None,
        "collected_tz": item.collected_tz,
        "collected_by": item.collected_by,
        "place_name": item.place_name,
        "lat": decimal_text(item.lat),
        "lon": decimal_text(item.lon),
        "accuracy_m": decimal_text(item.accuracy_m),
        "method": item.method,
        "tool": item.tool,
        "tool_version": item.tool_version,
        "source": item.source,
        "language": item.language,
        "classification": item.classification,
        "organisation_id": item.organisation_id,
        "parent_item_id": item.parent_item_id,
        "extra": item.extra or {},
    }


def file_record(file: File, item: Item) -> dict[str, Any]:
    """The attested record of a stored file or derivative."""
    return {
        "ern": item.ern,
        "sha256": file.sha256,
        "size": file.size,
        "mime_type": file.mime_type,
        "original_name": file.original_name,
        "derived_from_id": file.derived_from_id,
        "derivation": file.derivation,
        "reason": file.reason,
        "ern_suffix": file.ern_suffix,
    }


def incident_record(incident: Incident, case: Case) -> dict[str, Any]:
    """The attested record of an incident."""
    return {
        "case": case.code,
        "id": incident.id,
        "title": incident.title,
        "description": incident.description,
        "date_from": incident.date_from,
        "date_to": incident.date_to,
        "place_name": incident.place_name,
        "lat": decimal_text(incident.lat),
        "lon": decimal_text(incident.lon),
        "accuracy_m": decimal_text(incident.accuracy_m),
        "alleged_crimes": list(incident.alleged_crimes or []),
        "act_types": list(incident.act_types or []),
    }


def item_entry(item: Item, case: Case) -> dict[str, Any]:
    """Fields of the `item.registered` log entry."""
    return {"ern": item.ern, "case": case.code, "record": record_hash(item_record(item, case))}


def file_entry(file: File, item: Item, source: File | None = None) -> dict[str, Any]:
    """Fields of the `file.added` / `derivative.added` log entry; a derivative names its source's hash."""
    fields: dict[str, Any] = {
        "ern": item.ern,
        "sha256": file.sha256,
        "size": file.size,
        "record": record_hash(file_record(file, item)),
    }
    if source is not None:
        fields["derived_from"] = source.sha256
        fields["derivation"] = file.derivation
    return fields
