"""Authentication: argon2 password + TOTP sign-in (rate-limited), browser sessions, scoped API tokens.

Secrets (session ids, API tokens) are random, given to the client once, and stored only as SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError as DBIntegrityError
from sqlalchemy.orm import joinedload

from hague.access.auth_models import ApiToken, SigninAttempt, TotpUse, WebSession
from hague.access.roles import get_user
from hague.core import Hague, Unit
from hague.db.base import utcnow
from hague.errors import HagueError, NotFound, PermissionDenied, ValidationError
from hague.evidence.models import User
from hague.ledger.canonical import record_hash

SCOPES = ("read", "write", "share")
SESSION_HOURS = 12
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 20
FAILURE_WINDOW = timedelta(minutes=15)
TOTP_KEEP_STEPS = 4  # used steps older than this can no longer be presented, so they are forgotten
_hasher = PasswordHasher()
# Verifying against a dummy hash when the user is unknown keeps timing the same as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-000")


class AuthenticationFailed(HagueError):
    """Wrong username, password or one-time code (which one is not said)."""

    code = "unauthenticated"
    http_status = 401


class TooManyAttempts(HagueError):
    """Too many failed sign-ins for this account or client; try again later."""

    code = "rate_limited"
    http_status = 429


# Built once: the statements every authenticated request runs (building one costs more than running it).
_SESSION_BY_HASH = (
    select(WebSession)
    .options(joinedload(WebSession.user).joinedload(User.organisation))
    .where(WebSession.secret_hash == bindparam("secret_hash"))
)
_TOKEN_BY_HASH = (
    select(ApiToken)
    .options(joinedload(ApiToken.user).joinedload(User.organisation))
    .where(ApiToken.secret_hash == bindparam("secret_hash"))
)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def enrol_totp(unit: Unit, username: str, secret: str | None = None) -> str:
    """Give a user a TOTP secret (base32) for the second factor; returns it once for the authenticator app."""
    user = get_user(unit.session, username)
    secret = secret or pyotp.random_base32()
    if len(secret) < 16:
        raise ValidationError("a TOTP secret needs at least 16 base32 characters", field="secret")
    user.totp_secret = secret
    unit.session.flush()
    unit.attest("user.totp_enrolled", {"user": user.username})
    return secret


def set_password(unit: Unit, username: str, password: str) -> None:
    """Set a user's password (argon2id)."""
    from hague.access.roles import hash_password

    user = get_user(unit.session, username)
    user.password_hash = hash_password(password)
    unit.session.flush()
    unit.attest("user.password_set", {"user": user.username})


def _failures(hague: Hague, key: str) -> int:
    since = utcnow() - FAILURE_WINDOW
    with hague.reader() as session:
        stmt = select(func.count()).where(SigninAttempt.key_hash == key, SigninAttempt.at >= since)
        return int(session.scalar(stmt) or 0)


def authenticate(hague: Hague, username: str, password: str, code: str, client: str = "") -> User:
    """The user if password and current TOTP code are right; failures are counted and rate-limited.

    Each one-time code signs a user in once (RFC 6238 §5.2): a replayed code fails like a wrong one.
    """
    user_key = _sha256("user:" + username.strip().lower())
    client_key = _sha256("client:" + client)
    if _failures(hague, user_key) >= MAX_FAILURES_PER_USER or _failures(hague, client_key) >= MAX_FAILURES_PER_CLIENT:
        raise TooManyAttempts("too many failed sign-ins; wait 15 minutes and try again")
    step = None
    with hague.reader() as session:
        user = session.scalar(select(User).where(User.username == username.strip().lower()))
        ok = _password_ok(user.password_hash if user else None, password)
        ok = ok and user is not None and bool(user.totp_secret)
        if ok and user is not None and user.totp_secret:
            step = totp_step(user.totp_secret, code)
            _ = user.organisation  # loaded now: callers use it after the session closes
    ok = ok and user is not None and step is not None and _first_use(hague, user.id, step)
    if not ok or user is None:
        with hague.unit() as unit:
            unit.session.add_all([SigninAttempt(key_hash=user_key), SigninAttempt(key_hash=client_key)])
        raise AuthenticationFailed("wrong username, password or one-time code")
    return user


def totp_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step (RFC 6238) whose code this is, allowing one step of clock drift either way; else None."""
    totp = pyotp.TOTP(secret)
    moment = time.time() if now is None else now
    current = int(moment // totp.interval)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code.strip()):
            return step
    return None


def _first_use(hague: Hague, user_id: int, step: int) -> bool:
    """Record that the code of `step` signed the user in; False if it already had (a replayed code)."""
    with hague.unit() as unit:
        unit.session.execute(delete(TotpUse).where(TotpUse.user_id == user_id, TotpUse.step < step - TOTP_KEEP_STEPS))
        try:
            with unit.session.begin_nested():
                unit.session.add(TotpUse(user_id=user_id, step=step))
                unit.session.flush()
        except DBIntegrityError:
            return False
    return True


def _password_ok(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class OpenedSession:
    """A new browser session: the secret goes in the (signed) cookie, the CSRF token in forms."""

    secret: str
    csrf_token: str


def open_session(hague: Hague, user: User) -> OpenedSession:
    """Start a browser session for a signed-in user."""
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    with hague.unit() as unit:
        unit.session.add(
            WebSession(
                secret_hash=_sha256(secret),
                user_id=user.id,
                csrf_token=csrf,
                expires_at=utcnow() + timedelta(hours=SESSION_HOURS),
            )
        )
    return OpenedSession(secret, csrf)


def session_user(hague: Hague, secret: str) -> tuple[User, WebSession]:
    """The user and session row for a session secret that is open and not expired."""
    with hague.reader() as session:
        row = session.scalar(_SESSION_BY_HASH, {"secret_hash": _sha256(secret)})
        if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
            raise AuthenticationFailed("your session has ended; sign in again")
        user = row.user
        _ = user.organisation
        return user, row


def close_session(hague: Hague, secret: str) -> None:
    """End a browser session (sign-out)."""
    with hague.unit() as unit:
        row = unit.session.scalar(select(WebSession).where(WebSession.secret_hash == _sha256(secret)))
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()


def csrf_ok(expected: str, given: str | None) -> bool:
    """Constant-time comparison of the session's CSRF token with the one sent."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def create_token(unit: Unit, username: str, name: str, scopes: list[str], days: int | None = 90) -> str:
    """Create a scoped API token for a user; the returned secret is shown once and stored hashed."""
    user = get_user(unit.session, username)
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValidationError(f"scopes must be some of {', '.join(SCOPES)}", field="scopes")
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError("a token needs a name of at most 100 characters", field="name")
    prefix = secrets.token_hex(4)
    secret = f"hg_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken(
        user_id=user.id,
        name=name,
        prefix=prefix,
        secret_hash=_sha256(secret),
        scopes=sorted(set(scopes)),
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    unit.session.add(row)
    unit.session.flush()
    unit.attest(
        "token.created",
        {
            "user": user.username,
            "prefix": prefix,
            "record": record_hash({"user": user.username, "prefix": prefix, "scopes": row.scopes}),
        },
    )
    return secret


def revoke_token(unit: Unit, prefix: str, by: User) -> None:
    """Revoke a token by its public prefix (its owner or an administrator of the same organisation)."""
    row = unit.session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    if row is None:
        raise NotFound(f"no token {prefix!r}")
    if row.user_id != by.id and not (by.is_admin and row.user.organisation_id == by.organisation_id):
        raise PermissionDenied("only the token's owner or an administrator may revoke it")
    row.revoked_at = utcnow()
    unit.attest("token.revoked", {"prefix": prefix, "by": by.username})


def token_user(hague: Hague, secret: str) -> tuple[User, frozenset[str]]:
    """The user and scopes of a valid API token."""
    with hague.reader() as session:
        row = session.scalar(_TOKEN_BY_HASH, {"secret_hash": _sha256(secret)})
        if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= utcnow()):
            raise AuthenticationFailed("the API token is unknown, expired or revoked")
        user = row.user
        _ = user.organisation
        return user, frozenset(row.scopes)
