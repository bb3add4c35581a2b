"""Request and response bodies of API v1 (they make the OpenAPI schema that schemathesis checks)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["testimony", "physical", "digital", "document"]
Classification = Literal["public", "restricted", "confidential", "strictly_confidential"]


class ErrorOut(BaseModel):
    """Every error body: a stable code, a message for people, and details."""

    error: str
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class MeOut(BaseModel):
    """The caller."""

    username: str
    display_name: str
    organisation: str
    clearance: str
    is_admin: bool
    scopes: list[str]


class CaseIn(BaseModel):
    """Opening a case in the caller's organisation."""

    model_config = ConfigDict(extra="forbid")
    situation: str = Field(min_length=2, max_length=8, pattern=r"^[A-Za-z][A-Za-z0-9]{1,7}$")
    title: str = Field(min_length=1, max_length=300)


class CaseOut(BaseModel):
    """A case as the caller sees it."""

    code: str
    title: str
    organisation: str
    created_at: datetime
    access: str


class IncidentIn(BaseModel):
    """Recording an incident."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20000)
    date_from: date | None = None
    date_to: date | None = None
    place_name: str = Field(default="", max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=1e7)
    alleged_crimes: list[str] = Field(default_factory=list, max_length=50)
    act_types: list[str] = Field(default_factory=list, max_length=50)


class IncidentOut(BaseModel):
    """An incident."""

    id: int
    title: str
    description: str
    date_from: date | None
    date_to: date | None
    place_name: str
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    alleged_crimes: list[str]
    act_types: list[str]


class ItemIn(BaseModel):
    """Registering an item without a file (a physical exhibit, a document held elsewhere)."""

    model_config = ConfigDict(extra="forbid")
    kind: Kind
    title: str = Field(min_length=1, max_length=500)
    description: str = Field(default="", max_length=20000)
    collected_at: datetime | None = None
    collected_tz: str = Field(default="UTC", max_length=64)
    collected_by: str = Field(default="", max_length=200)
    place_name: str = Field(default="", max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    method: str = Field(default="", max_length=200)
    source: str = Field(default="", max_length=500)
    language: str = Field(default="", max_length=35)
    classification: Classification = "restricted"
    incident_ids: list[int] = Field(default_factory=list, max_length=100)


class FileOut(BaseModel):
    """A stored file of an item."""

    id: int
    sha256: str
    size: int
    mime_type: str
    original_name: str
    derivation: str | None
    derived_from_id: int | None
    created_at: datetime


class ItemOut(BaseModel):
    """An item (with its files on the item endpoint)."""

    ern: str
    case: str
    kind: str
    title: str
    description: str
    collected_at: datetime | None
    collected_tz: str
    collected_by: str
    place_name: str
    lat: float | None
    lon: float | None
    method: str
    source: str
    language: str
    classification: str
    organisation: str
    incidents: list[int]
    files: list[FileOut] | None = None


class ItemPage(BaseModel):
    """One page of items; pass `next_after` as `after` for the next page (lists) or raise `offset` (search)."""

    items: list[ItemOut]
    next_after: int | None = None
    facets: dict[str, dict[str, int]] | None = None


class ShareIn(BaseModel):
    """Sharing (or revoking) a whole case, or one item of it, with a partner organisation."""

    model_config = ConfigDict(extra="forbid")
    organisation: str = Field(min_length=2, max_length=8, pattern=r"^[A-Za-z][A-Za-z0-9]{1,7}$")
    ern: str | None = Field(default=None, max_length=64)


class ShareOut(BaseModel):
    """An active or revoked share."""

    organisation: str
    ern: str | None
    granted_by: str
    granted_at: datetime
    revoked_at: datetime | None


class RevokedOut(BaseModel):
    """How many shares a revocation ended."""

    revoked: int


class CustodyIn(BaseModel):
    """A custody event recorded now by the caller (the custody library checks every rule)."""

    model_config = ConfigDict(extra="forbid")
    event_type: Literal["collected", "sealed", "transferred", "received", "stored", "checked_out", "checked_in", "lost"]
    tz: str = Field(default="UTC", max_length=64)
    place: str = Field(default="", max_length=300)
    reason: str = Field(default="", max_length=20000)
    receiver: str = Field(default="", max_length=80)
    facility: str = Field(default="", max_length=200)
    room: str = Field(default="", max_length=100)
    shelf: str = Field(default="", max_length=100)
    condition: str = Field(default="", max_length=300)
    notes: str = Field(default="", max_length=20000)
    seal_numbers: list[str] = Field(default_factory=list, max_length=20)
    seal_state: str = Field(default="", max_length=16)


class CustodyEventOut(BaseModel):
    """One entry of the chain of custody."""

    seq: int
    event_type: str
    occurred_at: datetime
    occurred_tz: str
    actor: str
    organisation: str
    counterpart: str
    place: str
    facility: str
    reason: str
    seal_numbers: list[str]
    log_seq: int | None


class CustodyOut(BaseModel):
    """An item's chain of custody and who holds it now."""

    ern: str
    events: list[CustodyEventOut]
    status: str | None
    custodian: str | None
    receiver: str | None


class RecordedOut(BaseModel):
    """A recorded custody event."""

    ern: str
    seq: int | None
    event_type: str


class SavedSearchIn(BaseModel):
    """Saving a search of a case under a name (the filter only; each run applies the runner's access)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=80, pattern=r"^[\w][\w .,:()'-]*$")
    q: str = Field(default="", max_length=500)
    kind: Kind | None = None
    classification: Classification | None = None
    incident: int | None = Field(default=None, ge=1, le=2**31 - 1)
    organisation: str | None = Field(default=None, max_length=8, pattern=r"^[A-Za-z0-9]{1,8}$")
    shared: bool = False


class SavedSearchOut(BaseModel):
    """A saved search: its name, owner, whether it is shared, and its filter."""

    name: str
    case: str
    owner: str
    shared: bool
    filters: dict[str, Any]
