"""What a person records at a custody event, validated before any rule or write (ISO/IEC 27037, NIST SP 800-61)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hague.custody.models import EVENT_TYPES, SEAL_STATES
from hague.errors import ValidationError
from hague.evidence.register import _check_text

SHA256 = re.compile(r"^[0-9a-f]{64}$")
SEAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/._-]{0,63}$")


def check_zone(tz: str) -> str:
    """An IANA time zone name, or ValidationError."""
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"unknown time zone {tz!r}", field="tz") from exc
    return tz


def check_digest(value: str, what: str) -> str:
    """A lowercase SHA-256 hex digest, or ValidationError."""
    value = value.strip().lower()
    if not SHA256.match(value):
        raise ValidationError(f"{what} must be a SHA-256 hex digest", field=what)
    return value


def check_seals(numbers: tuple[str, ...] | list[str], state: str) -> tuple[list[str], str]:
    """Seal numbers (letters, digits, / . _ -) and their state; a state needs seals and vice versa."""
    seals = [n.strip() for n in numbers if n.strip()]
    for number in seals:
        if not SEAL.match(number):
            raise ValidationError(f"seal number {number!r} has characters other than A-Z 0-9 / . _ -", field="seals")
    if len(set(seals)) != len(seals):
        raise ValidationError("a seal number is given twice", field="seals")
    if seals and not state:
        state = "intact"
    if state and state not in SEAL_STATES:
        raise ValidationError(f"seal state must be one of {', '.join(SEAL_STATES)}", field="seal_state")
    if state and not seals:
        raise ValidationError("a seal state needs the seal numbers it describes", field="seals")
    return seals, state


TEXT_LIMITS = (
    ("place", 300),
    ("condition", 300),
    ("facility", 200),
    ("room", 100),
    ("shelf", 100),
    ("reason", 20000),
    ("notes", 20000),
    ("result", 20000),
    ("destination", 20000),
    ("decision", 20000),
)


@dataclass
class EventInput:
    """One custody event as recorded by its actor; type-specific fields are ignored by other types."""

    event_type: str
    occurred_at: datetime
    tz: str = "UTC"
    place: str = ""
    reason: str = ""
    seal_numbers: tuple[str, ...] = ()
    seal_state: str = ""
    condition: str = ""
    notes: str = ""
    attachments: tuple[str, ...] = ()
    receiver: str = ""  # transferred: username of the named receiver
    examiner: str = ""  # checked_out: username of the examiner (optional)
    facility: str = ""  # stored
    room: str = ""
    shelf: str = ""
    method: str = ""  # examined
    lab: str = ""
    result: str = ""
    result_files: tuple[str, ...] = ()  # examined: SHA-256 of result files already in the store
    sample_title: str = ""  # sampled
    source_sha256: str = ""  # copied: the item's file that was copied (default: its original)
    copy_sha256: str = ""  # copied: the copy, already put in the store
    destination: str = ""  # copied / released: where the copy or the item went
    decision: str = ""  # disposed: reference of the authorising decision
    authorised_by: str = ""  # disposed: username of the person who authorised it

    def validate(self) -> dict[str, Any]:
        """Refuse malformed input with a clear message; returns the type-specific details to store."""
        if self.event_type not in EVENT_TYPES:
            raise ValidationError(f"event type must be one of {', '.join(EVENT_TYPES)}", field="event_type")
        if self.occurred_at.tzinfo is None:
            raise ValidationError("the event time needs a time zone", field="occurred_at")
        check_zone(self.tz)
        for name, limit in TEXT_LIMITS:
            value = getattr(self, name)
            if value:  # most fields of most events are empty: skip the character scan for them
                setattr(self, name, _check_text(value, name, limit, required=False))
        seals, self.seal_state = check_seals(self.seal_numbers, self.seal_state)
        self.seal_numbers = tuple(seals)
        self.attachments = tuple(check_digest(a, "attachment") for a in self.attachments)
        return self._details()

    def _details(self) -> dict[str, Any]:
        kind = self.event_type
        if kind == "sealed" and not self.seal_numbers:
            raise ValidationError("sealing needs the seal numbers", field="seals")
        if kind == "transferred" and not self.receiver.strip():
            raise ValidationError("a transfer names its receiver", field="receiver")
        if kind == "stored" and not self.facility:
            raise ValidationError(
                "storage needs the facility (and room and shelf where there are any)", field="facility"
            )
        if kind in ("released", "lost", "transferred", "checked_out") and not self.reason:
            raise ValidationError(f"'{kind}' needs a reason", field="reason")
        if kind == "examined":
            if not (self.method and self.lab):
                raise ValidationError("an examination records its method and laboratory", field="method")
            return {
                "method": self.method,
                "lab": self.lab,
                "result": self.result,
                "result_files": [check_digest(f, "result file") for f in self.result_files],
            }
        if kind == "copied":
            if not self.copy_sha256:
                raise ValidationError("a copy names the SHA-256 of the copy in the store", field="copy_sha256")
            details = {"copy_sha256": check_digest(self.copy_sha256, "copy_sha256"), "destination": self.destination}
            if self.source_sha256:
                details["source_sha256"] = check_digest(self.source_sha256, "source_sha256")
            return details
        if kind == "disposed":
            if not (self.decision and self.authorised_by.strip()):
                raise ValidationError("disposal needs the authorising decision and who authorised it", field="decision")
            return {"decision": self.decision, "authorised_by": self.authorised_by.strip().lower()}
        if kind == "sampled":
            return {"sample_title": _check_text(self.sample_title or "sample", "sample title", 500)}
        if kind == "released":
            return {"destination": self.destination}
        return {}
