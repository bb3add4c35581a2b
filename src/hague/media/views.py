"""Read views: an item's extraction runs, shown as suggestions next to the collector's record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from hague.evidence.models import File, Item
from hague.evidence.register import get_item
from hague.media.models import MediaExtraction


def run_view(row: MediaExtraction, sha256: str) -> dict[str, Any]:
    """One extraction run as JSON-ready data."""
    return {
        "sha256": sha256,
        "run": row.run,
        "status": row.status,
        "extracted_at": row.extracted_at,
        "tools": row.tools,
        "errors": row.errors,
        "suggestions": row.suggestions,
    }


_RUNS = (
    select(MediaExtraction, File.sha256)
    .join(File, File.id == MediaExtraction.file_id)
    .where(MediaExtraction.item_id == bindparam("item_id"))
    .order_by(MediaExtraction.file_id, MediaExtraction.run)
)  # built once: every item page reads it


def item_media(session: Session, ern: str | Item) -> dict[str, Any]:
    """The collector's record (as recorded, never changed here) and every extraction run, newest last
    (of the item with this ERN, or of an item already loaded)."""
    item = ern if isinstance(ern, Item) else get_item(session, ern)
    rows = session.execute(_RUNS, {"item_id": item.id}).all()
    return {
        "ern": item.ern,
        "collector_record": {
            "collected_at": item.collected_at,
            "collected_tz": item.collected_tz,
            "collected_by": item.collected_by,
            "place_name": item.place_name,
            "lat": item.lat,
            "lon": item.lon,
            "tool": item.tool,
            "tool_version": item.tool_version,
            "source": item.source,
        },
        "runs": [run_view(row, sha) for row, sha in rows],
    }


def web_capture(session: Session, ern: str) -> dict[str, Any]:
    """The newest web-capture extraction of an item: target, time, signature, records with their hashes."""
    item = get_item(session, ern)
    for suggestions in session.scalars(
        select(MediaExtraction.suggestions)
        .where(MediaExtraction.item_id == item.id)
        .order_by(MediaExtraction.id.desc())
    ):
        capture = (suggestions or {}).get("web_capture")
        if capture:
            return {"ern": item.ern, **capture}
    return {"ern": item.ern}
