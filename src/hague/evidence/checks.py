"""Record checks for the foundation's entries: recompute each attested record hash from the rows, and
list the rows that MUST have an entry (so `hague verify` finds records that were never attested)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.errors import NotFound
from hague.evidence.models import Case, CaseRole, File, Incident, Item, Organisation, Share, User
from hague.evidence.records import file_record, incident_record, item_record
from hague.evidence.register import get_case, get_item, get_organisation
from hague.ledger.attest import EntryKey, record_check, record_rows
from hague.ledger.canonical import record_hash


@record_check("organisation.created")
def organisation_created(session: Session, fields: dict[str, Any]) -> str:
    org = get_organisation(session, fields["code"])
    return record_hash({"code": org.code, "name": org.name})


@record_rows("organisation.created", key=lambda f: (f.get("code"),))
def organisation_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for code in session.scalars(select(Organisation.code)):
        yield (code,), f"organisation {code}"


@record_check("case.opened")
def case_opened(session: Session, fields: dict[str, Any]) -> str:
    case = get_case(session, fields["case"])
    return record_hash({"case": case.code, "title": case.title})


@record_rows("case.opened", key=lambda f: (f.get("case"),))
def case_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for case in session.scalars(select(Case)):
        yield (case.code,), f"case {case.code}"


@record_check("incident.recorded")
def incident_recorded(session: Session, fields: dict[str, Any]) -> str:
    incident = session.get(Incident, fields["incident"])
    if incident is None:
        raise NotFound(f"incident {fields['incident']} of case {fields.get('case')} is missing")
    case = session.get(Case, incident.case_id)
    assert case is not None
    return record_hash(incident_record(incident, case))


@record_rows("incident.recorded", key=lambda f: (f.get("incident"),))
def incident_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for incident_id in session.scalars(select(Incident.id)):
        yield (incident_id,), f"incident {incident_id}"


@record_check("item.registered")
def item_registered(session: Session, fields: dict[str, Any]) -> str:
    item = get_item(session, fields["ern"])
    case = session.get(Case, item.case_id)
    assert case is not None
    return record_hash(item_record(item, case))


@record_rows("item.registered", key=lambda f: (f.get("ern"),))
def item_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for ern in session.scalars(select(Item.ern)):
        yield (ern,), f"item {ern}"


def _file(session: Session, fields: dict[str, Any]) -> tuple[File, Item]:
    item = get_item(session, fields["ern"])
    file = session.scalar(select(File).where(File.item_id == item.id, File.sha256 == fields["sha256"]))
    if file is None:
        raise NotFound(f"file {fields['sha256']} of {item.ern} is missing")
    return file, item


@record_check("file.added")
def file_added(session: Session, fields: dict[str, Any]) -> str:
    file, item = _file(session, fields)
    return record_hash(file_record(file, item))


@record_check("derivative.added")
def derivative_added(session: Session, fields: dict[str, Any]) -> str:
    file, item = _file(session, fields)
    return record_hash(file_record(file, item))


def _file_rows(session: Session, originals: bool) -> Iterator[tuple[EntryKey, str]]:
    stmt = select(File.id, File.sha256, Item.ern).join(Item, Item.id == File.item_id)
    stmt = stmt.where(File.derived_from_id.is_(None) if originals else File.derived_from_id.is_not(None))
    for file_id, sha256, ern in session.execute(stmt):
        yield (ern, sha256), f"file {file_id} of {ern} (sha256 {sha256})"


@record_rows("file.added", key=lambda f: (f.get("ern"), f.get("sha256")))
def original_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    return _file_rows(session, True)


@record_rows("derivative.added", key=lambda f: (f.get("ern"), f.get("sha256")))
def derivative_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    return _file_rows(session, False)


@record_check("user.created")
def user_created(session: Session, fields: dict[str, Any]) -> str:
    user = session.scalar(select(User).where(User.username == fields["user"]))
    if user is None:
        raise NotFound(f"user {fields['user']} is missing")
    org = session.get(Organisation, user.organisation_id)
    assert org is not None
    return record_hash(
        {"user": user.username, "organisation": org.code, "clearance": user.clearance, "is_admin": user.is_admin}
    )


@record_rows("user.created", key=lambda f: (f.get("user"),))
def user_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for username in session.scalars(select(User.username)):
        yield (username,), f"user {username}"


@record_check("role.granted")
def role_granted(session: Session, fields: dict[str, Any]) -> str:
    case = get_case(session, fields["case"])
    user = session.scalar(select(User).where(User.username == fields["user"]))
    if user is None or session.get(CaseRole, (case.id, user.id, fields["role"])) is None:
        raise NotFound(f"role {fields['role']} of {fields['user']} on {case.code} is missing")
    return record_hash({"case": case.code, "user": user.username, "role": fields["role"]})


@record_rows("role.granted", key=lambda f: (f.get("case"), f.get("user"), f.get("role")))
def role_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    users = dict(list(session.execute(select(User.id, User.username)).tuples()))
    cases = {case.id: case.code for case in session.scalars(select(Case))}
    for grant in session.scalars(select(CaseRole)):
        code, username = cases.get(grant.case_id), users.get(grant.user_id)
        yield (code, username, grant.role), f"role {grant.role} of {username} on {code}"


def _share(session: Session, share_id: int) -> Share:
    grant = session.get(Share, share_id)
    if grant is None:
        raise NotFound(f"share {share_id} is missing")
    return grant


@record_check("share.granted")
def share_granted(session: Session, fields: dict[str, Any]) -> str:
    from hague.access.sharing import share_record

    grant = _share(session, fields["share"])
    case = session.get(Case, grant.case_id)
    org = session.get(Organisation, grant.organisation_id)
    item = session.get(Item, grant.item_id) if grant.item_id else None
    assert case is not None and org is not None
    return record_hash(share_record(grant, case.code, item.ern if item else None, org.code))


@record_rows("share.granted", key=lambda f: (f.get("share"),))
def share_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for share_id in session.scalars(select(Share.id)):
        yield (share_id,), f"share {share_id}"


@record_check("share.revoked")
def share_revoked(session: Session, fields: dict[str, Any]) -> str:
    grants = [_share(session, share_id) for share_id in fields["shares"]]
    revoked_by = {g.revoked_by for g in grants if g.revoked_at is not None}
    if len(revoked_by) > 1 or any(g.revoked_at is None for g in grants):
        raise NotFound(f"revocation of shares {fields['shares']} is no longer recorded")
    return record_hash(
        {"shares": sorted(g.id for g in grants), "by": revoked_by.pop() if revoked_by else fields.get("by", "")}
    )
