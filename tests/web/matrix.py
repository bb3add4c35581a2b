"""The authorisation table: one row per route, one rule per row; the matrix test expands it over every
role x organisation x clearance x classification x sharing state and compares with what the server does."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hague.access import roles
from hague.access.policy import ACTIONS
from hague.access.roles import ROLES
from hague.access.sharing import share
from hague.core import Hague
from hague.evidence import register
from hague.evidence.models import CLASSIFICATIONS
from hague.evidence.register import ItemInput

ROLE_CHOICES = (*ROLES, "none", "org_admin")  # org_admin: the is_admin flag without a case role
ORGS = ("OTP", "PGO")  # OTP owns both cases; PGO is the partner
CLEARANCES = ("restricted", "strictly_confidential")
SHARE_STATES = ("none", "item")  # per item, in the case without a case-wide share


@dataclass(frozen=True)
class Subject:
    """A matrix user."""

    username: str
    role: str
    org: str
    clearance: str

    @property
    def owner(self) -> bool:
        return self.org == "OTP"

    @property
    def member(self) -> bool:
        """Owner organisation with a role on the cases, or an administrator of the owner."""
        return self.owner and self.role != "none"

    def may(self, action: str) -> bool:
        if not self.owner:
            return False
        return self.role == "org_admin" or self.role in ACTIONS[action]


@dataclass(frozen=True)
class CaseTarget:
    """A case of the world: `case_wide` means it is shared as a whole with PGO."""

    code: str
    case_wide: bool
    shared_items: bool


@dataclass(frozen=True)
class ItemTarget:
    """An item: its classification, whether it is shared on its own, and its case."""

    ern: str
    file_id: int
    classification: str
    shared: bool
    case: CaseTarget


def case_access(s: Subject, c: CaseTarget) -> bool:
    return s.member or (not s.owner and (c.case_wide or c.shared_items))


def case_full(s: Subject, c: CaseTarget) -> bool:
    return s.member or (not s.owner and c.case_wide)


def item_visible(s: Subject, i: ItemTarget) -> bool:
    cleared = CLASSIFICATIONS.index(s.clearance) >= CLASSIFICATIONS.index(i.classification)
    reach = s.member or (not s.owner and (i.case.case_wide or i.shared))
    return cleared and reach


CaseRule = Callable[[Subject, CaseTarget], bool]
ItemRule = Callable[[Subject, ItemTarget], bool]


@dataclass(frozen=True)
class Route:
    """One route of the table and the rule that decides it."""

    name: str
    method: str
    path: str  # {case}, {ern}, {file}
    rule: CaseRule | ItemRule
    target: str  # "case" | "item" | "none"
    ui: bool = False
    body: Callable[[int], dict[str, Any]] | None = None


def _json(value: dict[str, Any]) -> Callable[[int], dict[str, Any]]:
    return lambda _n: {"json": value}


def _upload(n: int) -> dict[str, Any]:
    return {"files": {"file": (f"m{n}.txt", io.BytesIO(f"matrix upload {n}".encode()), "text/plain")}}


ROUTES: tuple[Route, ...] = (
    Route("api.case.show", "GET", "/api/v1/cases/{case}", case_access, "case"),
    Route("api.items.list", "GET", "/api/v1/cases/{case}/items", case_access, "case"),
    Route("api.search", "GET", "/api/v1/search?q=matrix&case={case}", case_access, "case"),
    Route("api.incidents.list", "GET", "/api/v1/cases/{case}/incidents", case_full, "case"),
    Route("api.shares.list", "GET", "/api/v1/cases/{case}/shares", lambda s, c: s.may("share.manage"), "case"),
    Route(
        "api.item.create",
        "POST",
        "/api/v1/cases/{case}/items",
        lambda s, c: s.may("item.create"),
        "case",
        body=_json({"kind": "physical", "title": "matrix exhibit"}),
    ),
    Route(
        "api.file.upload", "POST", "/api/v1/cases/{case}/files", lambda s, c: s.may("item.create"), "case", body=_upload
    ),
    Route(
        "api.incident.create",
        "POST",
        "/api/v1/cases/{case}/incidents",
        lambda s, c: s.may("incident.create"),
        "case",
        body=_json({"title": "matrix incident"}),
    ),
    Route(
        "api.share.create",
        "POST",
        "/api/v1/cases/{case}/shares",
        lambda s, c: s.may("share.manage"),
        "case",
        body=_json({"organisation": "NFI"}),
    ),
    Route(
        "api.share.revoke",
        "POST",
        "/api/v1/cases/{case}/shares/revoke",
        lambda s, c: s.may("share.manage"),
        "case",
        body=_json({"organisation": "NFI"}),
    ),
    Route("api.saved.list", "GET", "/api/v1/cases/{case}/saved-searches", case_access, "case"),
    Route(
        "api.saved.create",
        "POST",
        "/api/v1/cases/{case}/saved-searches",
        case_access,
        "case",
        body=lambda n: {"json": {"name": f"matrix {n}", "q": "matrix"}},
    ),
    Route("api.item.show", "GET", "/api/v1/items/{ern}", item_visible, "item"),
    Route("api.file.download", "GET", "/api/v1/files/{file}/content", item_visible, "item"),
    Route("api.custody", "GET", "/api/v1/items/{ern}/custody", item_visible, "item"),
    Route("api.metadata", "GET", "/api/v1/items/{ern}/metadata", item_visible, "item"),
    Route("ui.case", "GET", "/cases/{case}", case_access, "case", ui=True),
    Route("ui.facets", "GET", "/cases/{case}/facets?q=matrix", case_access, "case", ui=True),
    Route("ui.upload", "GET", "/cases/{case}/upload", lambda s, c: s.may("item.create"), "case", ui=True),
    Route("ui.map", "GET", "/cases/{case}/map", case_full, "case", ui=True),
    Route(
        "ui.witnesses",
        "GET",
        "/cases/{case}/witnesses",
        lambda s, c: case_full(s, c) and (s.role in ROLES or (s.role == "org_admin" and s.owner)),
        "case",
        ui=True,
    ),
    Route("ui.item", "GET", "/items/{ern}", item_visible, "item", ui=True),
    Route("ui.verify", "GET", "/files/{file}/verify", item_visible, "item", ui=True),
)


@dataclass
class MatrixWorld:
    """Subjects and targets of the matrix."""

    subjects: list[Subject]
    cases: list[CaseTarget]
    items: list[ItemTarget]


def build(hague: Hague, password_hash: str) -> MatrixWorld:
    """Two cases owned by OTP (one shared whole with PGO), items of every classification, shared or not."""
    with hague.unit() as unit:
        for code in ("OTP", "PGO", "NFI"):
            register.create_organisation(unit, code, f"{code} organisation")
        plain = register.create_case(unit, "OTP", "UKR", "Matrix case").code
        wide = register.create_case(unit, "OTP", "UKR", "Matrix case shared whole").code
        subjects = []
        for role, org, clearance in itertools.product(ROLE_CHOICES, ORGS, CLEARANCES):
            name = f"{role}-{org}-{clearance[:6]}".lower().replace("_", "")
            user = roles.create_user(unit, name, name, org, clearance, None, is_admin=role == "org_admin")
            user.password_hash = password_hash
            if role in ROLES:
                for code in (plain, wide):
                    roles.grant_role(unit, code, name, role)
            subjects.append(Subject(name, role, org, clearance))
        lead = roles.get_user(unit.session, subjects[[s.role for s in subjects].index("case_lead")].username)
        case_plain = CaseTarget(plain, case_wide=False, shared_items=True)
        case_wide = CaseTarget(wide, case_wide=True, shared_items=False)
        items = []
        for n, (case, classification, state) in enumerate(
            itertools.product((case_plain, case_wide), CLASSIFICATIONS, SHARE_STATES)
        ):
            if case.case_wide and state == "item":
                continue
            item = register.add_item(
                unit, case.code, ItemInput(kind="document", title=f"matrix item {n}", classification=classification)
            )
            blob = hague.store.put_stream(io.BytesIO(f"matrix file {n}".encode()))
            file = register.attach_file(unit, item, blob.sha256, blob.size, "text/plain", f"m{n}.txt")
            if state == "item":
                share(unit, case.code, "PGO", lead, item.ern)
            items.append(ItemTarget(item.ern, file.id, classification, state == "item", case))
        share(unit, wide, "PGO", lead)
    return MatrixWorld(subjects, [case_plain, case_wide], items)
