"""Users, per-case roles and clearance. Roles are need-to-know: a role is granted on one case.

Roles: viewer, investigator, analyst, custodian, wpo (witness-protection officer), case_lead, admin.
A user's clearance MUST be at least an item's classification to read it.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from hague.core import Unit
from hague.errors import Conflict, NotFound, PermissionDenied, ValidationError
from hague.evidence.models import CLASSIFICATIONS, Case, CaseRole, User
from hague.evidence.register import _check_text, get_case, get_organisation
from hague.ledger.canonical import record_hash

ROLES = ("viewer", "investigator", "analyst", "custodian", "wpo", "case_lead", "admin")
CLEARANCE_ORDER = {level: rank for rank, level in enumerate(CLASSIFICATIONS)}
_hasher = PasswordHasher()


def clears(clearance: str, classification: str) -> bool:
    """True if a user with `clearance` may read material classified `classification`."""
    return CLEARANCE_ORDER[clearance] >= CLEARANCE_ORDER[classification]


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    if len(password) < 10:
        raise ValidationError("passwords need at least 10 characters", field="password")
    return _hasher.hash(password)


def create_user(
    unit: Unit,
    username: str,
    display_name: str,
    organisation: str,
    clearance: str = "restricted",
    password: str | None = None,
    is_admin: bool = False,
) -> User:
    """Create a user in an organisation with a clearance level."""
    username = _check_text(username, "username", 80).lower()
    if clearance not in CLEARANCE_ORDER:
        raise ValidationError(f"clearance must be one of {', '.join(CLASSIFICATIONS)}", field="clearance")
    if unit.session.scalar(select(User).where(User.username == username)):
        raise Conflict(f"user {username} already exists")
    org = get_organisation(unit.session, organisation)
    user = User(
        username=username,
        display_name=_check_text(display_name, "display name", 200),
        organisation_id=org.id,
        clearance=clearance,
        is_admin=is_admin,
        password_hash=hash_password(password) if password else None,
    )
    unit.session.add(user)
    unit.session.flush()
    unit.attest(
        "user.created",
        {
            "user": username,
            "organisation": org.code,
            "record": record_hash(
                {"user": username, "organisation": org.code, "clearance": clearance, "is_admin": is_admin}
            ),
        },
    )
    return user


def get_user(session: Session, username: str) -> User:
    """The user with this username."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def grant_role(unit: Unit, case_code: str, username: str, role: str, granted_by: str = "") -> CaseRole:
    """Grant `role` on a case; granting is logged."""
    if role not in ROLES:
        raise ValidationError(f"role must be one of {', '.join(ROLES)}", field="role")
    case = get_case(unit.session, case_code)
    user = get_user(unit.session, username)
    existing = unit.session.get(CaseRole, (case.id, user.id, role))
    if existing is not None:
        return existing
    grant = CaseRole(case_id=case.id, user_id=user.id, role=role)
    unit.session.add(grant)
    unit.session.flush()
    unit.attest(
        "role.granted",
        {
            "case": case.code,
            "user": user.username,
            "role": role,
            "by": granted_by,
            "record": record_hash({"case": case.code, "user": user.username, "role": role}),
        },
    )
    return grant


_ROLES_ON = select(CaseRole.role).where(
    CaseRole.case_id == bindparam("case_id"), CaseRole.user_id == bindparam("user_id")
)


def roles_on(session: Session, user: User, case: Case) -> set[str]:
    """The roles `user` holds on `case`."""
    return set(session.scalars(_ROLES_ON, {"case_id": case.id, "user_id": user.id}))


def require_role(session: Session, user: User, case: Case, allowed: set[str] | frozenset[str]) -> str:
    """Raise PermissionDenied unless `user` holds one of `allowed` on `case` (admins of the owner pass)."""
    held = roles_on(session, user, case)
    if user.is_admin and user.organisation_id == case.organisation_id:
        held.add("admin")
    found = held & set(allowed)
    if not found:
        raise PermissionDenied(
            f"{user.username} needs one of the roles {', '.join(sorted(allowed))} on case {case.code}"
        )
    return sorted(found)[0]
