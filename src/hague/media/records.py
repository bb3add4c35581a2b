"""Saving extraction runs with their log entries, and how `verify` recomputes them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hague.core import Unit
from hague.errors import NotFound
from hague.evidence.models import Case, File, Item
from hague.ledger.attest import EntryKey, record_check, record_rows
from hague.ledger.canonical import record_hash
from hague.media.extract import Extraction
from hague.media.models import MediaExtraction, MediaHash
from hague.media.phash import hex64, to_signed


def extraction_record(row: MediaExtraction, item: Item, file: File, hashes: list[MediaHash]) -> dict[str, Any]:
    """The attested form of one extraction run (raw output by its hash; index rows included)."""
    return {
        "ern": item.ern,
        "sha256": file.sha256,
        "run": row.run,
        "status": row.status,
        "sniffed_mime": row.sniffed_mime,
        "tools": row.tools,
        "suggestions": row.suggestions,
        "errors": row.errors,
        "raw": record_hash(row.raw),
        "phash": row.phash,
        "index": [[h.frame, h.algorithm, hex64(h.value)] for h in sorted(hashes, key=lambda h: (h.frame, h.id))],
        "extracted_at": row.extracted_at,
    }


def next_run(session: Session, file_id: int) -> int:
    """The next run number for a file (1 for the first extraction)."""
    return (
        int(
            session.scalar(
                select(func.coalesce(func.max(MediaExtraction.run), 0)).where(MediaExtraction.file_id == file_id)
            )
            or 0
        )
        + 1
    )


def save_extraction(unit: Unit, case: Case, item: Item, file: File, result: Extraction) -> MediaExtraction:
    """Store one run (never replacing an earlier one) with its perceptual hashes, and attest it."""
    row = MediaExtraction(
        case_id=case.id,
        item_id=item.id,
        file_id=file.id,
        run=next_run(unit.session, file.id),
        status=result.status,
        sniffed_mime=file.mime_type,
        tools=result.tools,
        raw=result.raw,
        suggestions=result.suggestions,
        errors=result.errors,
        phash=[[hex64(h) for h in frame] for frame in result.phash],
    )
    unit.session.add(row)
    unit.session.flush()
    hashes = [
        MediaHash(
            case_id=case.id, item_id=item.id, file_id=file.id, extraction_id=row.id, frame=i, value=to_signed(frame[0])
        )
        for i, frame in enumerate(result.phash)
        if frame
    ]
    unit.session.add_all(hashes)
    unit.session.flush()
    record = extraction_record(row, item, file, hashes)
    unit.attest(
        "media.extracted",
        {
            "case": case.code,
            "ern": item.ern,
            "sha256": file.sha256,
            "run": row.run,
            "status": row.status,
            "record": record_hash(record),
        },
    )
    return row


@record_check("media.extracted")
def check_extraction(session: Session, fields: dict[str, Any]) -> str:
    """Recompute an extraction run's record hash from its rows."""
    found = session.execute(
        select(MediaExtraction, Item, File)
        .join(File, File.id == MediaExtraction.file_id)
        .join(Item, Item.id == MediaExtraction.item_id)
        .where(Item.ern == fields["ern"], File.sha256 == fields["sha256"], MediaExtraction.run == fields["run"])
    ).first()
    if found is None:
        raise NotFound(f"no extraction run {fields['run']} of {fields['ern']}")
    row, item, file = found
    hashes = list(session.scalars(select(MediaHash).where(MediaHash.extraction_id == row.id)))
    return record_hash(extraction_record(row, item, file, hashes))


@record_rows("media.extracted", key=lambda f: (f.get("ern"), f.get("sha256"), f.get("run")))
def extraction_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    """Every extraction run, so `verify` names any run that was never attested."""
    rows = session.execute(
        select(Item.ern, File.sha256, MediaExtraction.run)
        .join(File, File.id == MediaExtraction.file_id)
        .join(Item, Item.id == MediaExtraction.item_id)
    )
    for ern, sha256, run in rows:
        yield (ern, sha256, run), f"extraction run {run} of {ern} ({sha256[:12]})"
