"""ASGI middleware: request size limits, secure response headers, access logs without personal data."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import HTTPException

from hague.errors import HagueError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_log = logging.getLogger("hague.web.access")


def configure_access_log() -> None:
    """Send the access log (JSON lines) to stderr once per process."""
    if not any(getattr(h, "hague_access", False) for h in access_log.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.hague_access = True  # type: ignore[attr-defined]
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)


CSP = (
    "default-src 'self'; img-src 'self' data: blob:{tiles}; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def csp(tiles_origin: str | None = None) -> str:
    """The Content-Security-Policy: everything from this server only, plus the online map tiles if configured."""
    return CSP.format(tiles=f" {tiles_origin}" if tiles_origin else "")


HEADERS = [
    (b"content-security-policy", csp().encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


class PayloadTooLarge(HagueError):
    """The request body is larger than this server accepts; nothing was stored."""

    code = "too_large"
    http_status = 413


def is_upload(path: str) -> bool:
    """Routes that take file uploads get the (large) upload limit; everything else the small one."""
    return path.endswith("/files")


class LimitAndHeaders:
    """Refuse bodies over the limit (by Content-Length, or while streaming) and add secure headers."""

    def __init__(self, app: ASGIApp, max_upload: int, max_body: int, tiles_origin: str | None = None) -> None:
        self.app = app
        self.max_upload = max_upload
        self.max_body = max_body
        self.headers = [(b"content-security-policy", csp(tiles_origin).encode()), *HEADERS[1:]]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_upload if is_upload(scope["path"]) else self.max_body
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, limit)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # An HTTPException passes through FastAPI's body parsing unchanged (others become 400).
                    raise HTTPException(413, f"the request is larger than {limit} bytes; nothing was stored")
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in self.headers if n not in present]
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                if scope.get("scheme") == "https":
                    headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, limited_receive, send_with_headers)


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    body = json.dumps(PayloadTooLarge(f"the request is larger than {limit} bytes", limit=limit).to_dict()).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": body})


class AccessLog:
    """One JSON line per request: id, method, route template, status, duration. No IPs, users or queries."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:16]
        status = 500

        async def send_logged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_logged)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or ("/static" if scope["path"].startswith("/static/") else "-")
            access_log.info(
                json.dumps(
                    {
                        "request": request_id,
                        "method": scope["method"],
                        "route": template,
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                )
            )
