"""Screens over other areas: chain of custody (transfer and receipt) and extracted metadata."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from hague.core import Hague
from hague.web.app import create_app
from tests.web.conftest import TestClient, World, sign_in, token_for


@pytest.fixture
def database_url(sqlite_factory, tmp_path) -> str:
    return sqlite_factory.new(tmp_path)


def _event(client, ern: str, headers: dict[str, str], **fields: object):
    return client.post(f"/api/v1/items/{ern}/custody", json=fields, headers=headers)


def test_transfer_then_receipt_by_the_named_receiver(app_client, hague: Hague, world: World) -> None:
    ern = world.erns["restricted"]
    lead = token_for(hague, "lead", ["read", "write"])
    analyst = token_for(hague, "analyst", ["read", "write"])
    assert _event(app_client, ern, lead, event_type="collected", place="Kharkiv").status_code == 201
    moved = _event(app_client, ern, lead, event_type="transferred", receiver="analyst", reason="to the lab")
    assert moved.status_code == 201, moved.text
    assert _event(app_client, ern, lead, event_type="received").status_code == 409
    assert _event(app_client, ern, analyst, event_type="received").status_code == 201
    trail = app_client.get(f"/api/v1/items/{ern}/custody", headers=analyst).json()
    assert [e["event_type"] for e in trail["events"]] == ["collected", "transferred", "received"]
    assert (trail["status"], trail["custodian"]) == ("held", "analyst")


def test_custody_form_on_the_item_page_records_and_shows_the_event(app_client, world: World) -> None:
    csrf = sign_in(app_client, "lead")
    ern = world.erns["public"]
    response = app_client.post(
        f"/items/{ern}/custody", data={"event_type": "collected", "place": "Bucha", "csrf_token": csrf}
    )
    assert response.status_code == 200
    assert re.search(r"<strong>collected</strong> · Lead \(OTP\) · Bucha", response.text)


def test_custody_of_an_invisible_item_is_not_found(app_client, hague: Hague, world: World) -> None:
    partner = token_for(hague, "partner", ["read", "write"])
    ern = world.erns["public"]
    assert app_client.get(f"/api/v1/items/{ern}/custody", headers=partner).status_code == 404
    assert _event(app_client, ern, partner, event_type="collected").status_code == 404


def test_uploaded_photo_shows_extracted_metadata(hague: Hague, world: World) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 20, 30)).save(buf, "JPEG")
    headers = token_for(hague, "lead", ["read", "write"])
    with TestClient(create_app(hague), raise_server_exceptions=False) as client:
        up = client.post(
            f"/api/v1/cases/{world.case}/files",
            files={"file": ("p.jpg", buf.getvalue(), "image/jpeg")},
            headers=headers,
        )
        assert up.status_code == 201
        media = client.get(f"/api/v1/items/{up.json()['ern']}/metadata", headers=headers).json()
    assert media["runs"] and media["runs"][0]["status"] == "ok"
    assert media["runs"][0]["sha256"] == up.json()["files"][0]["sha256"]
