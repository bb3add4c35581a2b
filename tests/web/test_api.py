"""API v1 over the library: cases, items with pagination and filters, files, sharing, audited reads."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from hague.access.auth_models import AccessRead
from hague.core import Hague
from hague.ledger.attest import CHECKS
from hague.ledger.canonical import record_hash
from hague.ledger.models import LogEntry
from tests.web.conftest import World, token_for

JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300") + b"\x08" * 64 + b"\xff\xd9"


def test_admin_opens_a_case_and_becomes_its_lead(app_client, hague: Hague, world: World) -> None:
    headers = token_for(hague, "lead", ["read", "write", "share"])
    created = app_client.post("/api/v1/cases", json={"situation": "UKR", "title": "New case"}, headers=headers)
    assert created.status_code == 201
    code = created.json()["code"]
    assert app_client.get(f"/api/v1/cases/{code}/shares", headers=headers).status_code == 200


def test_non_admin_cannot_open_a_case(app_client, hague: Hague, world: World) -> None:
    headers = token_for(hague, "analyst", ["read", "write"])
    response = app_client.post("/api/v1/cases", json={"situation": "UKR", "title": "x"}, headers=headers)
    assert response.status_code == 403


def test_item_pages_follow_the_cursor_without_gaps_or_repeats(app_client, hague: Hague, world: World) -> None:
    headers = token_for(hague, "lead", ["read"])
    seen: list[str] = []
    after = None
    while True:
        url = f"/api/v1/cases/{world.case}/items?limit=3" + (f"&after={after}" if after else "")
        page = app_client.get(url, headers=headers).json()
        seen += [i["ern"] for i in page["items"]]
        after = page["next_after"]
        if after is None:
            break
    assert seen == sorted(world.erns.values())


def test_items_filter_by_classification(app_client, hague: Hague, world: World) -> None:
    headers = token_for(hague, "lead", ["read"])
    page = app_client.get(f"/api/v1/cases/{world.case}/items?classification=confidential", headers=headers).json()
    assert [i["ern"] for i in page["items"]] == [world.erns["confidential"]]


def test_low_clearance_user_sees_neither_list_entry_nor_item(app_client, hague: Hague, world: World) -> None:
    headers = token_for(hague, "analyst", ["read"])
    page = app_client.get(f"/api/v1/cases/{world.case}/items", headers=headers).json()
    assert {i["classification"] for i in page["items"]} == {"public", "restricted"}
    assert app_client.get(f"/api/v1/items/{world.erns['confidential']}", headers=headers).status_code == 404


def test_upload_then_download_returns_the_same_bytes(app_client, hague: Hague, world: World) -> None:
    headers = token_for(hague, "lead", ["read", "write"])
    payload = "Свідчення: обстріл житлового будинку\n".encode() * 50
    response = app_client.post(
        f"/api/v1/cases/{world.case}/files",
        files={"file": ("svidchennia.txt", payload, "text/plain")},
        data={"classification": "restricted"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    stored = response.json()["files"][0]
    assert stored["sha256"] == hashlib.sha256(payload).hexdigest()
    assert hague.store.exists(stored["sha256"])
    download = app_client.get(f"/api/v1/files/{stored['id']}/content", headers=headers)
    assert download.status_code == 200
    assert download.content == payload
    assert download.headers["x-content-sha256"] == stored["sha256"]
    assert download.headers["content-type"] == "application/octet-stream"


def test_image_can_be_shown_inline_but_other_types_cannot(app_client, hague: Hague, world: World) -> None:
    headers = token_for(hague, "lead", ["read", "write"])
    up = app_client.post(
        f"/api/v1/cases/{world.case}/files", files={"file": ("p.jpg", JPEG, "image/jpeg")}, headers=headers
    )
    assert up.status_code == 201, up.text
    file_id = up.json()["files"][0]["id"]
    inline = app_client.get(f"/api/v1/files/{file_id}/content?inline=true", headers=headers)
    assert inline.headers["content-type"] == "image/jpeg"
    assert inline.headers["content-disposition"].startswith("inline")
    assert "sandbox" in inline.headers["content-security-policy"]


def test_reading_a_confidential_item_is_audited_in_a_table_and_the_log(app_client, hague: Hague, world: World) -> None:
    ern = world.erns["confidential"]
    assert app_client.get(f"/api/v1/items/{ern}", headers=token_for(hague, "lead", ["read"])).status_code == 200
    with hague.reader() as session:
        reads = list(session.scalars(select(AccessRead).where(AccessRead.ern == ern)))
        assert [(r.username, r.what, r.via) for r in reads] == [("lead", "item", "token")]
        assert reads[0].remote == "testclient"
        entry = session.scalars(select(LogEntry).where(LogEntry.kind == "access.read")).one()
        import json

        fields = json.loads(entry.body)
        assert fields["ern"] == ern and fields["user"] == "lead"
        assert CHECKS["access.read"](session, fields) == fields["record"]


def test_reading_a_restricted_item_is_not_audited(app_client, hague: Hague, world: World) -> None:
    app_client.get(f"/api/v1/items/{world.erns['restricted']}", headers=token_for(hague, "lead", ["read"]))
    with hague.reader() as session:
        assert session.scalars(select(AccessRead)).first() is None


def test_tampered_audit_row_fails_its_record_check(app_client, hague: Hague, world: World) -> None:
    import json

    app_client.get(f"/api/v1/items/{world.erns['confidential']}", headers=token_for(hague, "lead", ["read"]))
    with hague.unit() as unit:
        unit.session.scalars(select(AccessRead)).one().username = "someone-else"
    with hague.reader() as session:
        fields = json.loads(session.scalars(select(LogEntry).where(LogEntry.kind == "access.read")).one().body)
        assert CHECKS["access.read"](session, fields) != fields["record"]
        assert fields["record"] != record_hash({})


def test_partner_sees_only_shared_items_until_revoked(app_client, hague: Hague, world: World) -> None:
    lead = token_for(hague, "lead", ["read", "share"])
    partner = token_for(hague, "partner", ["read"])
    shared = world.erns["restricted"]
    assert app_client.get(f"/api/v1/cases/{world.case}/items", headers=partner).status_code == 404
    body = {"organisation": "PGO", "ern": shared}
    assert app_client.post(f"/api/v1/cases/{world.case}/shares", json=body, headers=lead).status_code == 201
    page = app_client.get(f"/api/v1/cases/{world.case}/items", headers=partner).json()
    assert [i["ern"] for i in page["items"]] == [shared]
    assert app_client.get(f"/api/v1/items/{world.erns['public']}", headers=partner).status_code == 404
    assert app_client.get(f"/api/v1/cases/{world.case}/incidents", headers=partner).status_code == 404
    revoked = app_client.post(f"/api/v1/cases/{world.case}/shares/revoke", json=body, headers=lead)
    assert revoked.json() == {"revoked": 1}
    assert app_client.get(f"/api/v1/items/{shared}", headers=partner).status_code == 404


def test_partner_cannot_share_the_owners_case(app_client, hague: Hague, world: World) -> None:
    partner = token_for(hague, "partner", ["read", "share"])
    body = {"organisation": "PGO"}
    assert app_client.post(f"/api/v1/cases/{world.case}/shares", json=body, headers=partner).status_code == 404


@pytest.fixture
def database_url(sqlite_factory, tmp_path) -> str:
    """Routes are checked on SQLite; the policy predicates behind them run on both backends in test_matrix."""
    return sqlite_factory.new(tmp_path)
