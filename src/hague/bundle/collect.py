"""What goes into a bundle: the selected items, their files per recipient, records, custody and log entries.

Rules: the actor MUST hold a bundling role on the case and clear each item's classification; a partner
recipient gets only items `testimony_visible_to` allows, the defence only what consent allows; a testimony
goes out only as its latest approved redacted version (never the recording or transcript), under its
witness's pseudonym; with `files="redacted"` every item goes out as its latest redacted version only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.access.roles import clears, require_role
from hague.bundle import layout
from hague.bundle.models import BundleImport, ExternalReference
from hague.custody.models import CustodyEvent
from hague.custody.records import event_record, row_of
from hague.errors import IntegrityError, NotFound, PermissionDenied, ValidationError
from hague.evidence.models import Case, File, Incident, Item, ItemIncident, Organisation, User
from hague.evidence.records import file_record, item_record
from hague.evidence.register import get_case, get_item, get_organisation
from hague.ledger.canonical import canonical_json
from hague.ledger.log import entries_naming

BUNDLE_ROLES = frozenset({"investigator", "custodian", "case_lead", "admin"})
FILES_MODES = ("originals", "redacted")


@dataclass
class Selection:
    """Which items (ERNs, an incident, a saved search, or a whole case), for whom, and which files."""

    case: str
    erns: tuple[str, ...] = ()
    incident: int | None = None
    recipient: str | None = None
    files: str = "originals"
    for_defence: bool = False
    saved_search: str | None = None

    def validate(self) -> None:
        """Refuse an impossible selection with a clear message."""
        if self.files not in FILES_MODES:
            raise ValidationError(f"files must be one of {', '.join(FILES_MODES)}", field="files")
        if sum((bool(self.erns), self.incident is not None, self.saved_search is not None)) > 1:
            raise ValidationError("select by ERNs, by incident or by saved search: one of them", field="selection")

    def describe(self) -> dict[str, Any]:
        """How the items were chosen, as the bundle's metadata tells its recipient."""
        if self.erns:
            return {"by": "erns"}
        if self.incident is not None:
            return {"by": "incident", "incident": self.incident}
        if self.saved_search is not None:
            return {"by": "saved_search", "saved_search": self.saved_search}
        return {"by": "case"}


@dataclass
class PlannedFile:
    """One file to copy into the bag, with the attested record its log entry hashes."""

    sha256: str
    size: int
    mime_type: str
    ern_suffix: str
    derivation: str | None
    derived_from: str | None
    record: dict[str, Any]

    @property
    def meta(self) -> dict[str, Any]:
        """The file as listed in the item's metadata (no uploaded name: it may name a person)."""
        return {
            "path": "",
            "sha256": self.sha256,
            "size": self.size,
            "mime_type": self.mime_type,
            "ern_suffix": self.ern_suffix,
            "derivation": self.derivation,
            "derived_from": self.derived_from,
            "record": self.record,
        }


@dataclass
class PlannedItem:
    """One item: metadata, files, custody history and the log entries that attest them."""

    ern: str
    meta: dict[str, Any]
    files: list[PlannedFile]
    custody: list[dict[str, Any]]
    seqs: set[int] = field(default_factory=set)
    upstream: dict[str, Any] | None = None


@dataclass
class Plan:
    """Everything collected from the database for one bundle."""

    case: Case
    organisation: str
    recipient: str
    items: list[PlannedItem]
    withheld: list[dict[str, str]]


def normalise(value: Any) -> Any:
    """The JSON form of a record, as its canonical encoding sees it (datetimes as ISO text)."""
    return json.loads(canonical_json(value))


def _select(session: Session, case: Case, selection: Selection, user: User) -> list[Item]:
    if selection.saved_search is not None:
        from hague.search.saved import run_saved

        ids = run_saved(session, user.username, case.code, selection.saved_search)
        found = list(session.scalars(select(Item).where(Item.id.in_(ids)).order_by(Item.id))) if ids else []
        if not found:
            raise ValidationError(
                f"saved search {selection.saved_search!r} matches no item you may see", field="saved_search"
            )
        return found
    if selection.erns:
        items = [get_item(session, ern) for ern in selection.erns]
        for item in items:
            if item.case_id != case.id:
                raise NotFound(f"no item {item.ern} in case {case.code}")
        return items
    stmt = select(Item).where(Item.case_id == case.id)
    if selection.incident is not None:
        incident = session.get(Incident, selection.incident)
        if incident is None or incident.case_id != case.id:
            raise NotFound(f"no incident {selection.incident} in case {case.code}")
        stmt = stmt.join(ItemIncident, ItemIncident.item_id == Item.id).where(
            ItemIncident.incident_id == selection.incident
        )
    items = list(session.scalars(stmt.order_by(Item.id)))
    if not items:
        raise ValidationError("the selection holds no items", field="erns")
    return items


def _withheld_reason(session: Session, item: Item, recipient: Organisation | None, defence: bool) -> str | None:
    from hague.testimony.consent import defence_disclosable, testimony_visible_to

    if recipient is not None and not testimony_visible_to(session, item, recipient.id):
        return f"not shared with {recipient.code} (sharing or consent)"
    if defence and not defence_disclosable(session, item):
        return "consent does not cover disclosure to the defence"
    return None


def _redacted_files(session: Session, item: Item, files: list[File]) -> list[File]:
    """The latest approved redacted version of an item (and its renderings), or nothing."""
    if item.kind == "testimony":
        from hague.testimony.models import RedactionVersion

        version = session.scalar(
            select(RedactionVersion).where(RedactionVersion.item_id == item.id).order_by(RedactionVersion.id.desc())
        )
        if version is None:
            # A testimony received in a bundle holds only what its sender approved for disclosure.
            received = ((item.extra or {}).get("external") or {}).get("versions") or {}
            return [f for f in files if f.sha256 in received]
        wanted = {version.text_file_id, version.pdf_file_id}
        return [f for f in files if f.id in wanted]
    redacted = [f for f in files if f.derivation == "redacted"]
    if not redacted:
        return []
    latest = redacted[-1]
    return [latest, *(f for f in files if f.derived_from_id == latest.id and f.derivation == "copy")]


def _pseudonym(session: Session, item: Item) -> str | None:
    if item.kind != "testimony":
        return None
    from hague.testimony.models import Interview, Witness

    found = session.scalar(
        select(Witness.pseudonym)
        .join(Interview, Interview.witness_id == Witness.id)
        .where(Interview.item_id == item.id)
    )
    received = (item.extra or {}).get("external") or {}
    return found or received.get("pseudonym")


def _plan_item(session: Session, case: Case, item: Item, mode: str) -> PlannedItem:
    files = list(session.scalars(select(File).where(File.item_id == item.id).order_by(File.id)))
    by_id = {f.id: f for f in files}
    chosen = _redacted_files(session, item, files) if item.kind == "testimony" or mode == "redacted" else files
    planned = [
        PlannedFile(
            f.sha256,
            f.size,
            f.mime_type,
            f.ern_suffix,
            f.derivation,
            by_id[f.derived_from_id].sha256 if f.derived_from_id in by_id else None,
            normalise(file_record(f, item)),
        )
        for f in chosen
    ]
    events = list(
        session.scalars(select(CustodyEvent).where(CustodyEvent.item_id == item.id).order_by(CustodyEvent.seq))
    )
    custody = [normalise(event_record(item.ern, row_of(e))) for e in events]
    seqs = set()
    for e in events:
        if e.log_seq is None:
            raise IntegrityError(f"custody event {e.seq} of {item.ern} has no log entry", ern=item.ern)
        seqs.add(e.log_seq)
    record = normalise(item_record(item, case))
    incidents = session.execute(
        select(Incident.id, Incident.title).join(ItemIncident).where(ItemIncident.item_id == item.id)
    ).all()
    refs = list(session.scalars(select(ExternalReference).where(ExternalReference.item_id == item.id)))
    upstream = None
    if refs:
        upstream = dict(refs[0].provenance)
        imported = session.get(BundleImport, refs[0].import_id)
        if imported is not None and imported.log_seq is not None:
            seqs.add(imported.log_seq)
    meta = {
        "ern": item.ern,
        "title": item.title,
        "kind": item.kind,
        "source": item.source,
        "language": item.language,
        "classification": item.classification,
        "collected_at": record["collected_at"],
        "collected_tz": item.collected_tz,
        "place_name": item.place_name,
        "pseudonym": _pseudonym(session, item),
        "incidents": [{"id": i, "title": t} for i, t in incidents],
        "record": record,
        "files": [],
        "files_withheld": len(files) - len(chosen),
        "external_refs": [
            {"origin": r.origin, "ern": r.ern, "bundle": r.provenance.get("bundle_sha256")} for r in refs
        ],
        "upstream": upstream is not None,
    }
    return PlannedItem(item.ern, meta, planned, custody, seqs, upstream)


def _entry_seqs(session: Session, plan: list[PlannedItem]) -> None:
    """Find the item and file entries of the planned items (custody entries are known by `log_seq`)."""
    wanted = {p.ern: p for p in plan}
    files = {(p.ern, f.sha256) for p in plan for f in p.files}
    found: set[tuple[str, str]] = set()
    registered: set[str] = set()
    for entry in entries_naming(session, list(wanted), ("item.registered", *layout.FILE_ENTRY_KINDS)):
        seq, kind = entry.seq, entry.kind
        fields = json.loads(entry.body)  # the body decides; the ERN index only narrows what is read
        ern = fields.get("ern")
        if ern not in wanted:
            continue
        if kind == "item.registered":
            wanted[ern].seqs.add(seq)
            registered.add(ern)
        elif (ern, fields.get("sha256")) in files:
            wanted[ern].seqs.add(seq)
            found.add((ern, fields["sha256"]))
    for ern in wanted:
        if ern not in registered:
            raise IntegrityError(f"{ern} has no item.registered log entry", ern=ern)
    for ern, sha in sorted(files - found):
        raise IntegrityError(f"file {sha} of {ern} has no log entry", ern=ern, sha256=sha)


def collect(session: Session, selection: Selection, user: User) -> Plan:
    """Check permissions and gather every record the bundle needs (read-only)."""
    selection.validate()
    case = get_case(session, selection.case)
    require_role(session, user, case, BUNDLE_ROLES)
    recipient = get_organisation(session, selection.recipient) if selection.recipient else None
    plan: list[PlannedItem] = []
    withheld: list[dict[str, str]] = []
    for item in _select(session, case, selection, user):
        if not clears(user.clearance, item.classification):
            raise PermissionDenied(f"{user.username} is not cleared for {item.ern} ({item.classification})")
        reason = _withheld_reason(session, item, recipient, selection.for_defence)
        if reason:
            withheld.append({"ern": item.ern, "reason": reason})
            continue
        plan.append(_plan_item(session, case, item, selection.files))
    if not plan:
        raise ValidationError("every selected item is withheld from this recipient", field="recipient")
    _entry_seqs(session, plan)
    owner = session.get(Organisation, case.organisation_id)
    return Plan(case, owner.code if owner else "", recipient.code if recipient else "", plan, withheld)
