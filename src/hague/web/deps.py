"""Who is calling: a browser session (signed cookie + CSRF token) or a scoped API token (Bearer)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi import Depends, Request
from itsdangerous import BadSignature, Signer

from hague.access import auth
from hague.access.auth import AuthenticationFailed
from hague.core import Hague
from hague.errors import PermissionDenied
from hague.evidence.models import User

SESSION_COOKIE = "hague_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Caller:
    """The authenticated caller of one request."""

    user: User
    scopes: frozenset[str]
    via: str  # "session" | "token"
    csrf_token: str = ""
    client: str = ""


def secret_key(hague: Hague) -> str:
    """The session-signing key: from settings, else a random key kept (0600) in the data folder."""
    if hague.settings.secret_key:
        return hague.settings.secret_key
    path = Path(hague.settings.data_dir) / "web-secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker created it first
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()


def get_hague(request: Request) -> Hague:
    """The instance the app was built with."""
    hague: Hague = request.app.state.hague
    return hague


def signer(request: Request) -> Signer:
    """Signs the session cookie so a forged or altered cookie is refused before any lookup."""
    value: Signer = request.app.state.signer
    return value


def client_of(request: Request) -> str:
    """The client's address, for the read audit only (never written to the access log)."""
    return request.client.host if request.client else ""


def session_secret(request: Request) -> str | None:
    """The session secret from a correctly signed cookie, or None."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        return signer(request).unsign(raw).decode()
    except BadSignature:
        return None


def caller(request: Request) -> Caller:
    """Authenticate the request; unsafe methods on a cookie session MUST carry the CSRF token."""
    hague = get_hague(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user, scopes = auth.token_user(hague, header[7:].strip())
        return Caller(user, scopes, "token", client=client_of(request))
    secret = session_secret(request)
    if secret is None:
        raise AuthenticationFailed("sign in first, or send an API token")
    user, row = auth.session_user(hague, secret)
    if request.method not in SAFE_METHODS and not auth.csrf_ok(row.csrf_token, request.headers.get(CSRF_HEADER)):
        raise PermissionDenied("missing or wrong CSRF token")
    return Caller(user, frozenset(auth.SCOPES), "session", row.csrf_token, client_of(request))


def scoped(scope: str) -> Callable[..., Caller]:
    """A dependency that authenticates and requires a token scope (sessions hold every scope)."""

    def dependency(who: Caller = Depends(caller)) -> Caller:
        if scope not in who.scopes:
            raise PermissionDenied(f"this API token lacks the {scope!r} scope")
        return who

    return dependency
