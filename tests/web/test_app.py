"""The app shell: one error rendering (JSON for the API, a page for the UI), headers, limits, access logs."""

from __future__ import annotations

import json
import logging

import pytest

from hague.core import Hague
from tests.web.conftest import World, sign_in, token_for


def test_api_errors_use_the_hague_error_body(app_client, world: World) -> None:
    response = app_client.get("/api/v1/cases")
    assert response.status_code == 401
    assert response.json() == {
        "error": "unauthenticated",
        "message": "sign in first, or send an API token",
        "details": {},
    }


def test_not_found_item_is_a_json_404_for_the_api(app_client, hague: Hague, world: World) -> None:
    response = app_client.get("/api/v1/items/UKR-OTP-0001-9999", headers=token_for(hague, "lead", ["read"]))
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_ui_errors_render_an_html_page(app_client, world: World) -> None:
    sign_in(app_client, "lead")
    response = app_client.get("/items/UKR-OTP-0001-9999")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "no item" in response.text


def test_pages_redirect_to_sign_in_when_signed_out(app_client, world: World) -> None:
    response = app_client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin"


def test_schema_mismatch_is_a_422_with_the_same_body_shape(app_client, hague: Hague, world: World) -> None:
    response = app_client.post("/api/v1/cases", json={"nope": 1}, headers=token_for(hague, "lead", ["write"]))
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid" and body["details"]["errors"]


def test_secure_headers_are_on_every_response(app_client) -> None:
    response = app_client.get("/signin")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_declared_oversized_body_is_refused_with_413(app_client, hague: Hague, world: World) -> None:
    response = app_client.post(
        "/api/v1/cases", content=b"x" * (2 * 1024 * 1024), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_streamed_body_over_the_limit_is_refused_with_413(app_client, hague: Hague, world: World) -> None:
    def chunks():
        for _ in range(40):
            yield b"y" * 65536

    headers = {**token_for(hague, "lead", ["write"]), "content-type": "application/json"}
    response = app_client.post("/api/v1/cases", content=chunks(), headers=headers)
    assert response.status_code == 413


def test_access_log_has_no_personal_data(
    app_client, hague: Hague, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="hague.web.access"):
        app_client.get(f"/api/v1/search?q=secretword&case={world.case}", headers=token_for(hague, "lead", ["read"]))
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "hague.web.access"]
    assert lines and lines[-1]["route"] == "/api/v1/search" and lines[-1]["status"] == 200
    text = caplog.text
    for secret in ("secretword", "lead", "testclient", "127.0.0.1"):
        assert secret not in text


def test_openapi_schema_is_served(app_client) -> None:
    schema = app_client.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases/{code}/files" in schema["paths"]
    assert "/signin" not in schema["paths"]


def test_vendored_assets_are_served_locally(app_client) -> None:
    for path in ("/static/vendor/htmx/htmx.min.js", "/static/vendor/leaflet/leaflet.js", "/static/geo/region.geojson"):
        assert app_client.get(path).status_code == 200
    geo = app_client.get("/static/geo/region.geojson").json()
    assert any(f["properties"]["name"] == "Ukraine" for f in geo["features"])


@pytest.fixture
def database_url(sqlite_factory, tmp_path) -> str:
    """HTTP mechanics do not depend on the database: these tests run on SQLite only."""
    return sqlite_factory.new(tmp_path)


FREEZE_PROBE = """
import gc, sys
from pathlib import Path
from fastapi.testclient import TestClient
from hague.core import Hague
from hague.settings import Settings
from hague.web.app import create_app
hague = Hague.open(Settings(data_dir=Path(sys.argv[1]), secret_key="x" * 40))
with TestClient(create_app(hague, server=sys.argv[2] == "server")):
    print(gc.get_freeze_count())
"""


@pytest.mark.parametrize("mode", ["server", "library"])
def test_only_a_server_app_moves_its_startup_heap_out_of_full_collections(tmp_path, mode: str) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", FREEZE_PROBE, str(tmp_path), mode], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    frozen = int(done.stdout.split()[-1])
    assert (frozen > 10_000) if mode == "server" else (frozen == 0)


def test_the_item_log_fragment_lists_the_entries_of_that_item_and_no_other(app_client, world: World) -> None:
    sign_in(app_client, "lead")
    ern, other = world.erns["public"], world.erns["restricted"]
    page = app_client.get(f"/items/{ern}/log")
    assert page.status_code == 200
    assert "item.registered" in page.text and ern in page.text
    assert other not in page.text
