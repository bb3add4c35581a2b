"""Interview records (Eurojust/ICC-OTP guidelines for civil society, 2022; Murad Code, 2022).

An interview is a testimony item of the case; its recordings, transcripts and translations are files
of that item. No interview is saved without informed consent and every mandatory field: the error
lists everything missing at once.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.access.roles import require_role
from hague.core import Unit
from hague.errors import HagueError, NotFound, ValidationError
from hague.evidence import register
from hague.evidence.models import File, Item, Organisation, User
from hague.evidence.sniff import HEAD, sniff_mime
from hague.ledger.canonical import record_hash
from hague.store import BlobStore
from hague.testimony.models import Interview, Witness
from hague.testimony.policy import RECORD, SEE
from hague.testimony.witnesses import get_witness

SCOPES = ("investigation", "prosecution", "court_testimony", "victim_support", "publication")
CONSENT_FORMS = ("written", "oral_recorded")
RECORDING_METHODS = ("audio", "video", "audio_video", "written_notes", "verbatim_notes")
FILE_ROLES = ("recording", "transcript", "translation")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ConsentInput(BaseModel):
    """Informed consent as recorded at the interview; `None` means not recorded."""

    model_config = ConfigDict(extra="forbid")
    given: bool | None = None
    given_on: date | None = None
    form: str | None = None
    scope: list[str] = Field(default_factory=list)
    partners: list[str] = Field(default_factory=list)
    defence_disclosure: bool | None = None
    withdrawal_effects: str | None = None


class InterviewInput(BaseModel):
    """What an interviewer records; `None` or empty means not recorded (see `missing`)."""

    model_config = ConfigDict(extra="forbid")
    interview_date: date | None = None
    start_time: str | None = None
    end_time: str | None = None
    timezone: str = "Europe/Kyiv"
    place: str | None = None
    interviewers: list[str] = Field(default_factory=list)
    interpreter: str = ""
    persons_present: list[str] | None = None
    languages: list[str] = Field(default_factory=list)
    consent: ConsentInput | None = None
    vulnerability: str | None = None
    protection_needs: str | None = None
    referrals: list[str] = Field(default_factory=list)
    breaks: list[dict[str, str]] = Field(default_factory=list)
    recording_method: str | None = None
    read_back: bool | None = None
    signed: bool | None = None
    signature_note: str = ""

    def missing(self) -> list[str]:
        """Every mandatory field not recorded, and every consent element missing."""
        out = [
            name
            for name in (
                "interview_date",
                "start_time",
                "end_time",
                "place",
                "persons_present",
                "vulnerability",
                "protection_needs",
                "recording_method",
                "read_back",
                "signed",
            )
            if getattr(self, name) in (None, "")
        ]
        out += [name for name in ("interviewers", "languages") if not getattr(self, name)]
        consent = self.consent or ConsentInput()
        if consent.given is not True:
            out.append("consent.given")
        for name in ("given_on", "form", "defence_disclosure", "withdrawal_effects"):
            if getattr(consent, name) in (None, ""):
                out.append(f"consent.{name}")
        if not consent.scope:
            out.append("consent.scope")
        return out

    def problems(self) -> list[str]:
        """Values that are recorded but impossible."""
        out: list[str] = []
        for name in ("start_time", "end_time"):
            value = getattr(self, name)
            if value and not HHMM.match(value):
                out.append(f"{name} must be HH:MM")
        times = [t for t in (self.start_time, self.end_time) if t and HHMM.match(t)]
        if len(times) == 2 and times[1] <= times[0]:
            out.append("end_time must be after start_time")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            out.append("timezone is not a known time zone")
        if self.interview_date and self.interview_date > date.today():
            out.append("interview_date is in the future")
        if self.recording_method and self.recording_method not in RECORDING_METHODS:
            out.append(f"recording_method must be one of {', '.join(RECORDING_METHODS)}")
        consent = self.consent
        if consent is not None:
            if consent.form and consent.form not in CONSENT_FORMS:
                out.append(f"consent.form must be one of {', '.join(CONSENT_FORMS)}")
            unknown = [s for s in consent.scope if s not in SCOPES]
            if unknown:
                out.append(f"consent.scope must be among {', '.join(SCOPES)}")
            if consent.given_on and self.interview_date and consent.given_on > self.interview_date:
                out.append("consent.given_on is after the interview")
        for i, pause in enumerate(self.breaks):
            if set(pause) - {"start", "end", "reason"} or not HHMM.match(pause.get("start", "")):
                out.append(f"breaks[{i}] needs start (HH:MM), optional end and reason")
        return out


def parse_interview(data: dict[str, Any]) -> InterviewInput:
    """Validate the shape of interview input; field names only in errors."""
    import pydantic

    try:
        return InterviewInput.model_validate(data)
    except pydantic.ValidationError as exc:
        fields = sorted({".".join(str(p) for p in err["loc"]) for err in exc.errors()})
        raise ValidationError(f"interview record has invalid fields: {', '.join(fields)}", fields=fields) from None


def _partners(session: Session, codes: list[str]) -> list[str]:
    out = []
    for code in codes:
        org = session.scalar(select(Organisation).where(Organisation.code == code.strip().upper()))
        if org is None:
            raise ValidationError(f"consent names an unknown partner organisation {code!r}", field="consent.partners")
        out.append(org.code)
    return sorted(set(out))


def add_interview(unit: Unit, pseudonym: str, data: InterviewInput, by: User) -> Interview:
    """Record an interview of a witness as a new testimony item; refuses incomplete records."""
    session = unit.session
    witness = get_witness(session, pseudonym)
    case = witness.case
    require_role(session, by, case, RECORD)
    missing = data.missing()
    if missing:
        raise ValidationError(f"interview not saved; missing: {', '.join(missing)}", missing=missing)
    problems = data.problems()
    if problems:
        raise ValidationError(f"interview not saved: {'; '.join(problems)}", problems=problems)
    consent = data.consent
    assert consent is not None and data.interview_date is not None and data.start_time and data.end_time
    partners = _partners(session, consent.partners)
    tz = ZoneInfo(data.timezone)
    started = datetime.combine(data.interview_date, time.fromisoformat(data.start_time), tz)
    item = register.add_item(
        unit,
        case.code,
        register.ItemInput(
            kind="testimony",
            title=f"Interview of {witness.pseudonym} on {data.interview_date.isoformat()}",
            collected_at=started,
            collected_tz=data.timezone,
            collected_by=by.username,
            place_name=data.place or "",
            method=f"interview ({data.recording_method})",
            language=data.languages[0][:35],
            classification="confidential",
        ),
        organisation_id=by.organisation_id,
    )
    interview = Interview(
        item_id=item.id,
        witness_id=witness.id,
        interview_date=data.interview_date,
        start_time=data.start_time,
        end_time=data.end_time,
        timezone=data.timezone,
        place=data.place,
        interviewers=list(data.interviewers),
        interpreter=data.interpreter,
        persons_present=list(data.persons_present or []),
        languages=list(data.languages),
        vulnerability=data.vulnerability,
        protection_needs=data.protection_needs,
        referrals=list(data.referrals),
        breaks=[dict(b) for b in data.breaks],
        recording_method=data.recording_method,
        read_back=data.read_back,
        signed=data.signed,
        signature_note=data.signature_note,
        consent_given_on=consent.given_on,
        consent_form=consent.form,
        consent_scope=sorted(set(consent.scope)),
        consent_partners=partners,
        consent_defence=consent.defence_disclosure,
        consent_withdrawal_effects=consent.withdrawal_effects,
        created_by=by.username,
    )
    session.add(interview)
    session.flush()
    unit.attest(
        "interview.recorded",
        {
            "ern": item.ern,
            "pseudonym": witness.pseudonym,
            "record": record_hash(interview_record(interview, witness, item)),
        },
    )
    return interview


def interview_record(interview: Interview, witness: Witness, item: Item) -> dict[str, Any]:
    """The attested record of an interview."""
    return {
        "ern": item.ern,
        "pseudonym": witness.pseudonym,
        "date": interview.interview_date,
        "start": interview.start_time,
        "end": interview.end_time,
        "timezone": interview.timezone,
        "place": interview.place,
        "interviewers": list(interview.interviewers),
        "interpreter": interview.interpreter,
        "persons_present": list(interview.persons_present),
        "languages": list(interview.languages),
        "vulnerability": interview.vulnerability,
        "protection_needs": interview.protection_needs,
        "referrals": list(interview.referrals),
        "breaks": list(interview.breaks),
        "recording_method": interview.recording_method,
        "read_back": interview.read_back,
        "signed": interview.signed,
        "signature_note": interview.signature_note,
        "consent": {
            "given_on": interview.consent_given_on,
            "form": interview.consent_form,
            "scope": list(interview.consent_scope),
            "partners": list(interview.consent_partners),
            "defence_disclosure": interview.consent_defence,
            "withdrawal_effects": interview.consent_withdrawal_effects,
        },
        "created_by": interview.created_by,
    }


def interview_of(session: Session, ern: str) -> Interview:
    """The interview recorded as item `ern`."""
    item = register.get_item(session, ern)
    interview = session.scalar(select(Interview).where(Interview.item_id == item.id))
    if interview is None:
        raise NotFound(f"{item.ern} is not an interview record")
    return interview


def list_interviews(session: Session, pseudonym: str, viewer: User) -> list[Interview]:
    """Interviews of a witness, oldest first."""
    witness = get_witness(session, pseudonym)
    require_role(session, viewer, witness.case, SEE)
    return list(session.scalars(select(Interview).where(Interview.witness_id == witness.id).order_by(Interview.id)))


def add_interview_file(
    unit: Unit, store: BlobStore, ern: str, path: Path, role: str, by: User, derived_from: str | None = None
) -> File:
    """Store a recording, transcript or translation as a file of the interview item.

    The stored name is built from the pseudonym (never the uploaded name, which may name the person).
    A transcript or translation given `derived_from` (SHA-256 of the recording or transcript) is
    recorded as a derivative of it; otherwise it is an original of the item.
    """
    if role not in FILE_ROLES:
        raise ValidationError(f"file role must be one of {', '.join(FILE_ROLES)}", field="role")
    session = unit.session
    interview = interview_of(session, ern)
    require_role(session, by, interview.witness.case, RECORD)
    if derived_from is None and role == "translation":
        raise ValidationError(
            "a translation is a derivative: give the SHA-256 of what it translates", field="derived_from"
        )
    if derived_from is not None and role == "recording":
        raise ValidationError("a recording is an original, not a derivative", field="derived_from")
    try:
        blob = store.put_path(path)
    except HagueError as exc:  # its message names the uploaded file, which may name the witness
        raise type(exc)(f"the {role} file for {interview.item.ern} could not be stored; nothing was written") from None
    with store.open(blob.sha256) as fh:
        mime = sniff_mime(fh.read(HEAD))
    name = f"{interview.witness.pseudonym}-{interview.item.ern}-{role}{path.suffix.lower()[:10]}"
    if derived_from is None:
        return register.attach_file(unit, interview.item, blob.sha256, blob.size, mime, name)
    source = session.scalar(select(File).where(File.item_id == interview.item_id, File.sha256 == derived_from.lower()))
    if source is None:
        raise NotFound(f"{interview.item.ern} holds no file with SHA-256 {derived_from}")
    derivation = "transcript" if role == "transcript" else "translation"
    return register.add_derivative(
        unit, source, blob.sha256, blob.size, mime, derivation, f"{role} of {source.sha256[:12]}", name
    )
