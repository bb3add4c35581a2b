"""What the API and the pages do, as library calls taking the acting user (routes only translate)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import bindparam, func, select

from hague import __version__
from hague.access import audit, policy
from hague.access.roles import grant_role
from hague.core import Hague
from hague.db.base import utcnow
from hague.errors import HagueError, NotFound, PermissionDenied, ValidationError
from hague.evidence import register
from hague.evidence.models import Case, File, Item, Organisation, Share, User
from hague.evidence.register import ItemInput
from hague.evidence.sniff import HEAD, sniff_mime
from hague.evidence.views import file_view, incident_view
from hague.search import query as search

TEXT_LIKE = ("text/", "application/json", "application/xml", "application/csv")
ZIP_FAMILY = ("application/zip", "application/vnd.openxmlformats", "application/vnd.oasis.opendocument")


class UnsupportedMedia(HagueError):
    """The declared type of an upload contradicts its content; nothing was stored."""

    code = "unsupported_media"
    http_status = 415


def case_out(session: Any, user: User, case: Case) -> dict[str, Any]:
    """A case with how the caller reaches it."""
    return {
        "code": case.code,
        "title": case.title,
        "organisation": case.organisation.code,
        "created_at": case.created_at,
        "access": policy.case_access(session, user, case) or "none",
    }


def item_out(item: Item, case_code: str, org_code: str, with_files: bool = False) -> dict[str, Any]:
    """An item as the API returns it."""
    out: dict[str, Any] = {
        "ern": item.ern,
        "case": case_code,
        "kind": item.kind,
        "title": item.title,
        "description": item.description,
        "collected_at": item.collected_at,
        "collected_tz": item.collected_tz,
        "collected_by": item.collected_by,
        "place_name": item.place_name,
        "lat": item.lat,
        "lon": item.lon,
        "method": item.method,
        "source": item.source,
        "language": item.language,
        "classification": item.classification,
        "organisation": org_code,
        "incidents": [i.id for i in item.incidents],
    }
    if with_files:
        out["files"] = [file_view(f) for f in item.files]
    return out


def visible_cases(hague: Hague, user: User) -> list[dict[str, Any]]:
    """Cases the user may see, oldest first."""
    with hague.reader() as session:
        cases = session.scalars(select(Case).where(policy.case_visible(user)).order_by(Case.id))
        return [case_out(session, user, c) for c in cases]


def open_case(hague: Hague, user: User, situation: str, title: str) -> dict[str, Any]:
    """Open a case in the user's organisation; its opener becomes case lead."""
    if not policy.may_open_cases(user):
        raise PermissionDenied("only an administrator of an organisation may open cases")
    with hague.unit() as unit:
        org = unit.session.merge(user).organisation
        case = register.create_case(unit, org.code, situation, title)
        grant_role(unit, case.code, user.username, "case_lead", granted_by=user.username)
        return case_out(unit.session, user, case)


def incidents(hague: Hague, user: User, code: str) -> list[dict[str, Any]]:
    """Incidents of a case the user fully sees (owner or case-wide share)."""
    with hague.reader() as session:
        case = policy.visible_case(session, user, code, full=True)
        return [incident_view(i) for i in register.list_incidents(session, case.code)]


def add_incident(hague: Hague, user: User, code: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Record an incident (investigators, analysts, case leads)."""
    with hague.unit() as unit:
        case = policy.visible_case(unit.session, user, code)
        policy.require(unit.session, user, case, "incident.create")
        return incident_view(register.add_incident(unit, case.code, **fields))


def add_item(hague: Hague, user: User, code: str, data: ItemInput) -> dict[str, Any]:
    """Register an item without a file."""
    with hague.unit() as unit:
        case = policy.visible_case(unit.session, user, code)
        policy.require(unit.session, user, case, "item.create")
        item = register.add_item(unit, case.code, data)
        return item_out(item, case.code, case.organisation.code, with_files=True)


def check_upload_name(name: str | None) -> str:
    """A client's file name is metadata: refuse paths, control characters and empty names outright."""
    if not name or not name.strip():
        raise ValidationError("the upload has no file name", field="file")
    name = unicodedata.normalize("NFC", name)
    if "/" in name or "\\" in name or name.strip() in {".", ".."} or name.startswith(".."):
        raise ValidationError("a file name must not contain a path", field="file")
    if any(unicodedata.category(ch)[0] == "C" for ch in name) or len(name) > 255:
        raise ValidationError("a file name must be at most 255 printable characters", field="file")
    return name.strip()


def _family(mime: str) -> str:
    mime = mime.split(";")[0].strip().lower()
    if mime.startswith(TEXT_LIKE):
        return "text"
    if mime.startswith(ZIP_FAMILY):
        return "zip"
    major = mime.split("/")[0]
    return major if major in {"image", "audio", "video"} else mime


def check_mime(declared: str | None, sniffed: str) -> None:
    """Refuse an upload whose declared type contradicts the type read from its content."""
    declared = (declared or "").split(";")[0].strip().lower()
    if declared in {"", "application/octet-stream"}:
        return
    if _family(declared) != _family(sniffed):
        raise UnsupportedMedia(f"the file was sent as {declared} but its content is {sniffed}", sniffed=sniffed)


@dataclass
class UploadMeta:
    """What the uploader says about a file."""

    title: str = ""
    description: str = ""
    kind: str = "digital"
    classification: str = "restricted"


def upload(
    hague: Hague, user: User, code: str, stream: BinaryIO, name: str | None, declared: str | None, meta: UploadMeta
) -> dict[str, Any]:
    """Store an uploaded file (checked first, so refused input stores nothing) and register it as an item."""
    with hague.reader() as session:
        case = policy.visible_case(session, user, code)
        policy.require(session, user, case, "item.create")
        case_code, org_code = case.code, case.organisation.code
    clean = check_upload_name(name)
    head = stream.read(HEAD)
    if not head:
        raise ValidationError("the uploaded file is empty", field="file")
    stream.seek(0)
    sniffed = sniff_mime(head)
    check_mime(declared, sniffed)
    data = ItemInput(
        kind=meta.kind,
        title=meta.title.strip() or clean,
        description=meta.description,
        collected_at=utcnow(),
        collected_by=user.display_name,
        method="web upload",
        tool="hague web",
        tool_version=__version__,
        source="upload",
        classification=meta.classification,
    )
    data.validate()
    register._check_text(data.description, "description", 20000, required=False)
    blob = hague.store.put_stream(stream)
    with hague.unit() as unit:
        item = register.add_item(unit, case_code, data)
        register.attach_file(unit, item, blob.sha256, blob.size, sniffed, clean)
        return item_out(item, case_code, org_code, with_files=True)


def read_item(hague: Hague, user: User, ern: str, client: str = "", via: str = "api") -> dict[str, Any]:
    """An item the user may see, with its files; reading a confidential item is audited."""
    with hague.reader() as session:
        item = policy.visible_item(session, user, ern)
        out = full_item_out(session, item)
    audit_read(hague, user, item, client, via)
    return out


_FILES = select(File).where(File.item_id == bindparam("item_id")).order_by(File.id)


def full_item_out(session: Any, item: Item) -> dict[str, Any]:
    """An item with its files, as the API and item page show it (two statements, no lazy loads)."""
    out = search.item_summary(session, item.id).out()
    out["files"] = [file_view(f) for f in session.scalars(_FILES, {"item_id": item.id})]
    return out


def audit_read(hague: Hague, user: User, item: Item, client: str, via: str) -> None:
    """Record the read of a confidential item (its own transaction, after the read)."""
    if audit.needs_audit(item):
        with hague.unit() as unit:
            audit.record_read(unit, user, item, remote=client, via=via)


def open_file(hague: Hague, user: User, file_id: int, client: str = "", via: str = "api") -> tuple[File, BinaryIO]:
    """A file of a visible item and a reader of its stored content; reading a confidential file is audited."""
    with hague.reader() as session:
        file = session.get(File, file_id)
        if file is None:
            raise NotFound(f"no file {file_id}")
        item = policy.visible_item(session, user, file.item.ern)
    if audit.needs_audit(item):
        with hague.unit() as unit:
            audit.record_read(unit, user, item, file, remote=client, via=via)
    return file, hague.store.open(file.sha256)


def shares(hague: Hague, user: User, code: str) -> list[dict[str, Any]]:
    """Shares of a case (case leads and administrators of the owner)."""
    with hague.reader() as session:
        case = policy.visible_case(session, user, code)
        policy.require(session, user, case, "share.manage")
        rows = session.execute(
            select(Share, Organisation.code, Item.ern)
            .join(Organisation, Organisation.id == Share.organisation_id)
            .outerjoin(Item, Item.id == Share.item_id)
            .where(Share.case_id == case.id)
            .order_by(Share.id)
        )
        return [
            {
                "organisation": org,
                "ern": ern,
                "granted_by": s.granted_by,
                "granted_at": s.granted_at,
                "revoked_at": s.revoked_at,
            }
            for s, org, ern in rows
        ]


def share(hague: Hague, user: User, code: str, organisation: str, ern: str | None) -> dict[str, Any]:
    """Share a case or one item with a partner organisation."""
    from hague.access.sharing import share as grant

    with hague.unit() as unit:
        case = policy.visible_case(unit.session, user, code)
        policy.require(unit.session, user, case, "share.manage")
        row = grant(unit, case.code, organisation, unit.session.merge(user), ern)
        return {
            "organisation": organisation.upper(),
            "ern": ern.upper() if ern else None,
            "granted_by": row.granted_by,
            "granted_at": row.granted_at,
            "revoked_at": None,
        }


def revoke(hague: Hague, user: User, code: str, organisation: str, ern: str | None) -> int:
    """Revoke a share; returns how many active shares ended."""
    from hague.access.sharing import revoke as end

    with hague.unit() as unit:
        case = policy.visible_case(unit.session, user, code)
        policy.require(unit.session, user, case, "share.manage")
        return end(unit, case.code, organisation, unit.session.merge(user), ern)


def count_visible(hague: Hague, user: User, case: Case) -> int:
    """How many items of the case the user may see."""
    with hague.reader() as session:
        stmt = select(func.count()).select_from(Item).where(Item.case_id == case.id, policy.item_visible(user))
        return int(session.scalar(stmt) or 0)
