"""Importing a disclosure bundle into this instance: verified first, then all of it or nothing.

Each item gets a local ERN and keeps the sender's ERN as an external reference (with the sender's
checkpoint and proofs, passed on in later bundles). Its custody continues: the sender's history is
imported as such (`source="imported"`), then a `received` event records the bundle's hash and the
sender's checkpoint. One `bundle.imported` entry puts the sender's checkpoint root into this log, so
both logs tie together. Importing the same bundle again (same tag-manifest hash) changes nothing.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.access.roles import get_user, require_role
from hague.bundle import layout
from hague.bundle.collect import BUNDLE_ROLES
from hague.bundle.models import BundleImport, ExternalReference
from hague.bundle.verify import Trust, opened, verify_bag
from hague.core import Hague, Unit
from hague.custody.imports import ImportedEvent, import_events
from hague.db.base import utcnow
from hague.errors import IntegrityError, NotFound
from hague.evidence.models import Case, File, Item, Organisation
from hague.evidence.register import ItemInput, add_derivative, add_item, attach_file, get_case
from hague.ledger.attest import EntryKey, record_check, record_rows
from hague.ledger.canonical import record_hash
from hague.ledger.checkpoint import parse_checkpoint
from hague.ledger.note import parse_note


@dataclass(frozen=True)
class Imported:
    """The outcome of an import: the bundle hash, sender ERN → local ERN, and whether it was already here."""

    sha256: str
    items: dict[str, str]
    already_imported: bool


def _float(text: Any) -> float | None:
    return None if text in (None, "") else float(text)


def _item_input(item: dict[str, Any], origin: str, sha: str) -> ItemInput:
    record = item["record"]
    collected = record.get("collected_at")
    return ItemInput(
        kind=record["kind"],
        title=record["title"],
        description=record.get("description", ""),
        collected_at=datetime.fromisoformat(collected) if collected else None,
        collected_tz=record.get("collected_tz", "UTC"),
        collected_by=record.get("collected_by", ""),
        place_name=record.get("place_name", ""),
        lat=_float(record.get("lat")),
        lon=_float(record.get("lon")),
        accuracy_m=_float(record.get("accuracy_m")),
        method=record.get("method", ""),
        tool=record.get("tool", ""),
        tool_version=record.get("tool_version", ""),
        source=record.get("source", ""),
        language=record.get("language", ""),
        classification=record.get("classification", "restricted"),
        extra={
            "external": {
                "origin": origin,
                "ern": item["ern"],
                "bundle": sha,
                "pseudonym": item.get("pseudonym"),
                "versions": {f["sha256"]: f.get("ern_suffix") or "" for f in item["files"]},
            }
        },
    )


def _files(unit: Unit, hague: Hague, root: Path, local: Item, item: dict[str, Any], sha: str) -> None:
    """Store the item's files; a version whose source came too stays a derivative of it."""
    by_sha: dict[str, File] = {}
    for f in item["files"]:
        blob = hague.store.put_path(root / "data" / f["path"])
        if blob.sha256 != f["sha256"]:
            raise IntegrityError(f"{item['ern']}: file {f['sha256']} changed while importing", ern=item["ern"])
        name = f"{item['ern']}{f.get('ern_suffix') or ''}{Path(f['path']).suffix}"
        source = by_sha.get(f.get("derived_from") or "")
        if source is not None and f.get("derivation"):
            reason = f"{f['derivation']} {f.get('ern_suffix') or ''} received in bundle {sha[:16]}".replace("  ", " ")
            by_sha[f["sha256"]] = add_derivative(
                unit, source, blob.sha256, blob.size, f["mime_type"], f["derivation"], reason, name
            )
        else:
            by_sha[f["sha256"]] = attach_file(unit, local, blob.sha256, blob.size, f["mime_type"], name)


def _sender_events(local_ern: str, events: list[dict[str, Any]], sender: str) -> list[ImportedEvent]:
    """The sender's custody history, attributed to its people at the sender (never to local users)."""
    out = []
    for ev in events:
        details = {k: str(v)[:2000] for k, v in (ev.get("details") or {}).items() if v not in (None, "", [], {})}
        out.append(
            ImportedEvent(
                ern=local_ern,
                event_type=ev["event_type"],
                occurred_at=datetime.fromisoformat(ev["occurred_at"]),
                actor=f"{ev.get('actor_name') or 'unknown'} ({ev.get('organisation_code') or sender})"[:200],
                tz=ev.get("occurred_tz") or "UTC",
                counterpart=(f"{ev['counterpart_name']} ({sender})" if ev.get("counterpart_name") else "")[:200],
                place=ev.get("place", ""),
                facility=ev.get("facility", ""),
                room=ev.get("room", ""),
                shelf=ev.get("shelf", ""),
                reason=ev.get("reason", ""),
                seal_numbers=tuple(ev.get("seal_numbers") or ()),
                seal_state=ev.get("seal_state", ""),
                condition=ev.get("condition", ""),
                notes=ev.get("notes", ""),
                source_ref=f"{sender} custody event {ev.get('seq')}",
                details=details,
            )
        )
    return out


def import_record(row: BundleImport, case_code: str) -> dict[str, Any]:
    """What a `bundle.imported` entry attests."""
    return {
        "sha256": row.sha256,
        "case": case_code,
        "origin": row.origin,
        "checkpoint": row.checkpoint,
        "checkpoint_size": row.checkpoint_size,
        "checkpoint_root": row.checkpoint_root,
        "imported_by": row.imported_by,
        "items": dict(row.items),
    }


def _entries_of(rows: list[dict[str, Any]], ern: str) -> list[dict[str, Any]]:
    """The sender's (already verified) entries about item `ern`."""
    return [row for row in rows if json.loads(base64.b64decode(row["entry"])).get("ern") == ern]


def _existing(session: Session, sha: str) -> Imported | None:
    row = session.scalar(select(BundleImport).where(BundleImport.sha256 == sha))
    return None if row is None else Imported(sha, dict(row.items), True)


def import_bundle(
    hague: Hague, path: Path, case_code: str, by: str, trust: Trust, identities: Iterable[str] = ()
) -> Imported:
    """Verify the bundle against `trust` (refusing it with the verdict), then import it into `case_code`."""
    with opened(Path(path), identities) as root:
        verdict = verify_bag(root, trust)
        verdict.raise_for_failure()
        sha = verdict.bundle_sha256
        with hague.reader() as session:
            done = _existing(session, sha)
        if done is not None:
            return done
        meta = json.loads((root / "data" / layout.METADATA_JSON).read_bytes())
        rows = json.loads((root / "data" / layout.ENTRIES_JSON).read_bytes())["entries"]
        note = (root / "data" / layout.CHECKPOINT).read_text(encoding="utf-8")
        checkpoint = parse_checkpoint(parse_note(note).text)
        sender = str(meta["bundle"].get("organisation") or checkpoint.origin)
        with hague.unit() as unit:
            session = unit.session
            if (done := _existing(session, sha)) is not None:
                return done
            user = get_user(session, by)
            case = get_case(session, case_code)
            require_role(session, user, case, BUNDLE_ROLES)
            org = session.get(Organisation, user.organisation_id)
            row = BundleImport(
                sha256=sha,
                case_id=case.id,
                origin=checkpoint.origin,
                checkpoint=note,
                checkpoint_size=checkpoint.size,
                checkpoint_root=checkpoint.root.hex(),
                imported_by=user.username,
                items={},
            )
            session.add(row)
            session.flush()
            mapping: dict[str, str] = {}
            events: list[ImportedEvent] = []
            now = utcnow()
            for item in meta["items"]:
                local = add_item(unit, case.code, _item_input(item, checkpoint.origin, sha), user.organisation_id)
                mapping[item["ern"]] = local.ern
                _files(unit, hague, root, local, item, sha)
                session.add(
                    ExternalReference(
                        item_id=local.id,
                        import_id=row.id,
                        origin=checkpoint.origin,
                        ern=item["ern"],
                        provenance={
                            "bundle_sha256": sha,
                            "origin": checkpoint.origin,
                            "external_ern": item["ern"],
                            "checkpoint": note,
                            "entries": _entries_of(rows, item["ern"]),
                            "files": [f["sha256"] for f in item["files"]],
                        },
                    )
                )
                history = json.loads((root / "data" / layout.custody_path(item["ern"])).read_bytes())
                events += _sender_events(local.ern, history, sender)
                events.append(
                    ImportedEvent(
                        ern=local.ern,
                        event_type="received",
                        occurred_at=now,
                        actor=user.username,
                        organisation=org.code if org else "",
                        counterpart=sender,
                        reason=f"received via bundle {sha} from {checkpoint.origin} as {item['ern']}",
                        source_ref=f"bundle {sha[:16]}",
                        details={
                            "via": "bundle",
                            "bundle_sha256": sha,
                            "sender_origin": checkpoint.origin,
                            "sender_ern": item["ern"],
                            "sender_checkpoint_size": str(checkpoint.size),
                            "sender_checkpoint_root": layout.b64(checkpoint.root),
                        },
                    )
                )
            row.items = mapping
            session.flush()
            import_events(unit, case.code, events)
            appended = unit.attest(
                "bundle.imported",
                {
                    "bundle": sha,
                    "case": case.code,
                    "origin": checkpoint.origin,
                    "checkpoint_size": checkpoint.size,
                    "checkpoint_root": layout.b64(checkpoint.root),
                    "record": record_hash(import_record(row, case.code)),
                },
            )
            row.log_seq = appended.seq
    return Imported(sha, mapping, False)


@record_check("bundle.imported")
def _check_imported(session: Session, fields: dict[str, Any]) -> str:
    row = session.scalar(select(BundleImport).where(BundleImport.sha256 == fields["bundle"]))
    if row is None:
        raise NotFound(f"import record of bundle {fields['bundle']} is missing")
    case = session.get(Case, row.case_id)
    return record_hash(import_record(row, case.code if case else ""))


@record_rows("bundle.imported", key=lambda fields: (fields.get("bundle"),))
def _imported_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for sha in session.scalars(select(BundleImport.sha256)):
        yield (sha,), f"bundle {sha} (imported)"
