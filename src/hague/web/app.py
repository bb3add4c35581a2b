"""The FastAPI application factory: API v1, pages, static files, and the one error handler."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from itsdangerous import Signer
from starlette.exceptions import HTTPException

from hague import __version__
from hague.core import Hague
from hague.errors import HagueError
from hague.settings import load_settings
from hague.web import api, ui
from hague.web.deps import secret_key
from hague.web.i18n import LanguageMiddleware
from hague.web.security import AccessLog, LimitAndHeaders, configure_access_log
from hague.web.templating import templates

HERE = Path(__file__).resolve().parent
MAX_BODY = 1024 * 1024
STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media",
    422: "invalid",
    429: "rate_limited",
}
log = logging.getLogger("hague.web")


def wants_json(request: Request) -> bool:
    """API paths get JSON errors; pages get an HTML error page."""
    return request.url.path.startswith("/api/")


def render_error(request: Request, status: int, body: dict[str, Any]) -> Response:
    """The one rendering of an error: JSON for the API, a page (or a sign-in redirect) for the UI."""
    if wants_json(request):
        return JSONResponse(body, status_code=status)
    if status == 401:
        return RedirectResponse("/signin", status_code=303)
    return templates.TemplateResponse(request, "error.html", {"status": status, "error": body}, status_code=status)


def create_app(
    hague: Hague, *, max_upload: int | None = None, extract_media: bool = True, server: bool = False
) -> FastAPI:
    """Build the ASGI app for a running instance (`server`: the app is the whole process, as in `hague serve`)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Route handlers run on anyio's worker threads (40 by default). Many more threads than cores only
        # contend for the GIL and the connection pool; a few keep each request short.
        anyio.to_thread.current_default_thread_limiter().total_tokens = hague.settings.web_threads
        if server:
            # What a started server holds (modules, mappers, templates) lives as long as the process: keep it out
            # of the collector's full passes, which otherwise stall every request in flight for tens of ms.
            gc.collect()
            gc.freeze()
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="Hague API",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        description="Evidence platform API: cases, incidents, items, files, sharing. Errors share one body.",
    )
    app.state.hague = hague
    app.state.extract_media = extract_media
    app.state.signer = Signer(secret_key(hague), salt="hague.session")

    @app.exception_handler(HagueError)
    async def hague_error(request: Request, exc: HagueError) -> Response:
        return render_error(request, exc.http_status, exc.to_dict())

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"where": ".".join(str(p) for p in err.get("loc", ())), "problem": str(err.get("msg", ""))}
            for err in exc.errors()
        ]
        body = {
            "error": "invalid",
            "message": "the request does not match the API schema",
            "details": {"errors": problems},
        }
        return render_error(request, 422, body)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        code = STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code
        if exc.status_code == 400 and "parsing the body" in message:
            message = "the request body could not be parsed (broken JSON or multipart)"
        return render_error(request, exc.status_code, {"error": code, "message": message, "details": {}})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error", exc_info=exc)
        body = {"error": "internal", "message": "an unexpected error occurred; it was logged", "details": {}}
        return render_error(request, 500, body)

    app.include_router(api.router)
    app.include_router(ui.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> HTMLResponse:
        return HTMLResponse("ok")

    limit = max_upload if max_upload is not None else hague.settings.max_upload_bytes
    app.add_middleware(
        LimitAndHeaders, max_upload=limit, max_body=MAX_BODY, tiles_origin=hague.settings.map_tiles_origin
    )
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(AccessLog)
    return app


def app_from_environment() -> FastAPI:
    """An app for the instance configured by `HAGUE_*` variables (uvicorn factory, one per worker process)."""
    configure_access_log()
    return create_app(Hague.open(load_settings()), server=True)
