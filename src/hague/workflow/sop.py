"""An organisation's standard operating procedure for custody, as a small YAML document.

    name: OTP physical evidence SOP
    start: [collected]
    end: [stored, received, released, disposed]     # optional: where a trail may stop
    steps:
      collected: {next: [sealed], required: [place], max_duration: 6h}
      sealed:    {next: [transferred, stored], required: [seal_numbers], max_duration: 24h}

`next` lists the event types allowed to follow a step; `required` the fields the step's event MUST
carry (event fields or type-specific details); `max_duration` how long an item may stay in the step.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hague.core import Unit
from hague.custody.models import EVENT_TYPES
from hague.errors import NotFound, ValidationError
from hague.evidence.models import User
from hague.evidence.register import get_organisation
from hague.ledger.attest import record_check
from hague.ledger.canonical import record_hash
from hague.workflow.models import WorkflowSop

DURATION = re.compile(r"^(\d+)\s*([smhdw])$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
FIELDS = frozenset(
    {
        "place",
        "reason",
        "seal_numbers",
        "seal_state",
        "condition",
        "facility",
        "room",
        "shelf",
        "counterpart",
        "method",
        "lab",
        "result",
        "decision",
        "authorised_by",
        "destination",
        "notes",
    }
)


def parse_duration(text: str) -> timedelta:
    """`90m`, `6h`, `2d`, `1w` as a timedelta."""
    match = DURATION.match(str(text).strip())
    if not match:
        raise ValueError(f"duration {text!r} is not like 30m, 6h, 2d or 1w")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


class Step(BaseModel):
    """One step (event type) of the procedure."""

    model_config = ConfigDict(extra="forbid")
    next: list[str] = Field(default_factory=list)
    required: list[str] = Field(default_factory=list)
    max_duration: timedelta | None = None

    @field_validator("max_duration", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value) if isinstance(value, str) else value

    @field_validator("required")
    @classmethod
    def _fields(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - FIELDS)
        if unknown:
            raise ValueError(f"unknown required field(s) {', '.join(unknown)}; known: {', '.join(sorted(FIELDS))}")
        return value


class Sop(BaseModel):
    """A whole procedure: start steps, allowed transitions, required fields, maximum durations."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    start: list[str] = Field(min_length=1)
    end: list[str] | None = None
    steps: dict[str, Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Sop:
        named = set(self.steps)
        unknown = named - set(EVENT_TYPES)
        if unknown:
            raise ValueError(f"steps must be custody event types; unknown: {', '.join(sorted(unknown))}")
        for where, names in (
            ("start", self.start),
            ("end", self.end or []),
            *((f"{s}.next", step.next) for s, step in self.steps.items()),
        ):
            missing = set(names) - named
            if missing:
                raise ValueError(f"{where} names step(s) not described: {', '.join(sorted(missing))}")
        return self


def parse_sop(text: str) -> Sop:
    """Parse and validate an SOP document; errors name the offending place."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationError(f"the SOP is not valid YAML: {exc}", field="sop") from exc
    if not isinstance(data, dict):
        raise ValidationError("the SOP must be a YAML mapping with name, start and steps", field="sop")
    try:
        return Sop.model_validate(data)
    except PydanticError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "sop"
        raise ValidationError(f"SOP {where}: {first['msg']}", field="sop") from exc


def sop_record(sop: WorkflowSop, organisation: str) -> dict[str, Any]:
    """The attested form of a registered SOP version."""
    return {"organisation": organisation, "version": sop.version, "name": sop.name, "sha256": sop.sha256}


def register_sop(unit: Unit, organisation: str, text: str, by: User) -> WorkflowSop:
    """Store a new version of an organisation's SOP (validated first); earlier versions are kept."""
    sop = parse_sop(text)
    org = get_organisation(unit.session, organisation)
    if by.organisation_id != org.id and not by.is_admin:
        raise ValidationError(f"{by.username} is not a member of {org.code}", field="organisation")
    version = (
        unit.session.scalar(select(func.max(WorkflowSop.version)).where(WorkflowSop.organisation_id == org.id)) or 0
    ) + 1
    row = WorkflowSop(
        organisation_id=org.id,
        version=version,
        name=sop.name,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        registered_by=by.username,
    )
    unit.session.add(row)
    unit.session.flush()
    unit.attest(
        "workflow.sop_registered",
        {"organisation": org.code, "version": version, "record": record_hash(sop_record(row, org.code))},
    )
    return row


def current_sops(session: Session) -> dict[int, Sop]:
    """The newest SOP of every organisation that has one, by organisation id."""
    newest = (
        select(WorkflowSop.organisation_id, func.max(WorkflowSop.version).label("v"))
        .group_by(WorkflowSop.organisation_id)
        .subquery()
    )
    rows = session.scalars(
        select(WorkflowSop).join(
            newest, (newest.c.organisation_id == WorkflowSop.organisation_id) & (newest.c.v == WorkflowSop.version)
        )
    )
    return {row.organisation_id: parse_sop(row.text) for row in rows}


def get_sop(session: Session, organisation: str) -> Sop:
    """The newest SOP of an organisation."""
    org = get_organisation(session, organisation)
    sop = current_sops(session).get(org.id)
    if sop is None:
        raise NotFound(f"{org.code} has no SOP registered")
    return sop


@record_check("workflow.sop_registered")
def _check_sop(session: Session, fields: dict[str, Any]) -> str:
    org = get_organisation(session, fields["organisation"])
    row = session.scalar(
        select(WorkflowSop).where(WorkflowSop.organisation_id == org.id, WorkflowSop.version == fields["version"])
    )
    if row is None:
        raise NotFound(f"no SOP version {fields['version']} of {org.code}")
    if hashlib.sha256(row.text.encode("utf-8")).hexdigest() != row.sha256:
        return record_hash({"tampered": row.sha256})
    return record_hash(sop_record(row, org.code))
