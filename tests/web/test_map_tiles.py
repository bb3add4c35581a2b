"""The map works offline by default; online tiles only when configured, and then the CSP opens that one origin."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hague.core import Hague
from hague.settings import Settings
from hague.web.app import create_app
from tests.web.conftest import TestClient, World, sign_in

TILES = "https://tiles.example.org/osm/{z}/{x}/{y}.png"


def _map_page(hague: Hague, world: World) -> tuple[str, str]:
    with TestClient(create_app(hague, extract_media=False), raise_server_exceptions=False) as client:
        sign_in(client, "lead")
        page = client.get(f"/cases/{world.case}/map")
    assert page.status_code == 200
    return page.text, page.headers["content-security-policy"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_by_default_the_map_loads_nothing_from_outside(hague: Hague, world: World) -> None:
    html, policy = _map_page(hague, world)
    assert 'data-tiles=""' in html
    assert "img-src 'self' data: blob:;" in policy


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_configured_tiles_reach_the_page_and_open_only_their_origin(hague: Hague, world: World) -> None:
    hague.settings.map_tiles_url = TILES
    hague.settings.map_tiles_attribution = "© OpenStreetMap contributors"
    html, policy = _map_page(hague, world)
    assert f'data-tiles="{TILES}"' in html
    assert "© OpenStreetMap contributors" in html
    assert "img-src 'self' data: blob: https://tiles.example.org;" in policy
    assert "connect-src 'self';" in policy and "script-src 'self';" in policy


@pytest.mark.parametrize(
    "url",
    [
        "http://tiles.example.org/{z}/{x}/{y}.png",
        "https://tiles.example.org/tile.png",
        "https://{s}.tile.example.org/{z}/{x}/{y}.png",
        "https://user:pw@tiles.example.org/{z}/{x}/{y}.png",
        "javascript:alert(1)//{z}{x}{y}",
    ],
    ids=["plain-http", "no-placeholders", "subdomain-template", "credentials", "javascript"],
)
def test_an_unsafe_tiles_url_is_refused_at_startup(tmp_path, url: str) -> None:
    with pytest.raises(ValidationError, match="map_tiles_url"):
        Settings(data_dir=tmp_path, map_tiles_url=url)
