"""Bad input: oversized or mistyped uploads, broken multipart, path names, invalid UTF-8, injection strings.
Each gets a clear 4xx with nothing stored, or (for text that is merely hostile) is stored verbatim and
rendered escaped. Attack inputs live as named files in tests/web/attacks/."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from hague.core import Hague
from hague.evidence.models import File, Incident, Item
from tests.web.conftest import World, sign_in, token_for

ATTACKS = Path(__file__).resolve().parent / "attacks"
TRAVERSAL = (ATTACKS / "path_traversal_names.txt").read_text(encoding="utf-8").splitlines()
INJECTIONS = (ATTACKS / "injection_strings.txt").read_text(encoding="utf-8").splitlines()


def _counts(hague: Hague) -> tuple[int, int, int]:
    with hague.reader() as session:
        items = session.scalar(select(func.count()).select_from(Item)) or 0
        files = session.scalar(select(func.count()).select_from(File)) or 0
    return items, files, len(list(hague.store.iter_digests()))


@pytest.fixture
def writer(hague: Hague, world: World) -> dict[str, str]:
    return token_for(hague, "lead", ["read", "write"])


def _upload(client, case: str, headers: dict[str, str], name: str, content: bytes, mime: str):
    return client.post(f"/api/v1/cases/{case}/files", files={"file": (name, content, mime)}, headers=headers)


def test_oversized_upload_is_413_and_stores_nothing(app_client, hague: Hague, world: World, writer) -> None:
    before = _counts(hague)
    response = _upload(app_client, world.case, writer, "big.bin", b"\0" * (200 * 1024), "application/octet-stream")
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert _counts(hague) == before


def test_content_that_contradicts_the_declared_type_is_415(app_client, hague: Hague, world: World, writer) -> None:
    before = _counts(hague)
    pdf = (ATTACKS / "pdf_declared_as_jpeg.pdf").read_bytes()
    response = _upload(app_client, world.case, writer, "photo.jpg", pdf, "image/jpeg")
    assert response.status_code == 415
    assert "application/pdf" in response.json()["message"]
    assert _counts(hague) == before


@pytest.mark.parametrize("attack", ["broken_multipart_truncated.bin", "broken_multipart_wrong_boundary.bin"])
def test_broken_multipart_is_a_4xx_and_stores_nothing(
    app_client, hague: Hague, world: World, writer, attack: str
) -> None:
    before = _counts(hague)
    headers = {**writer, "content-type": "multipart/form-data; boundary=XyZ"}
    body = (ATTACKS / attack).read_bytes()
    response = app_client.post(f"/api/v1/cases/{world.case}/files", content=body, headers=headers)
    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"error", "message", "details"}
    assert _counts(hague) == before


@pytest.mark.parametrize("name", TRAVERSAL)
def test_path_in_an_upload_name_is_refused(app_client, hague: Hague, world: World, writer, name: str) -> None:
    before = _counts(hague)
    response = _upload(app_client, world.case, writer, name, b"content", "text/plain")
    if response.status_code == 201:
        # The multipart parser may already reduce a Windows path to its last part; no path may survive.
        stored = response.json()["files"][0]["original_name"]
        assert "/" not in stored and "\\" not in stored and ".." not in stored
        return
    assert response.status_code == 422, response.text
    assert _counts(hague) == before


def test_empty_upload_is_refused(app_client, hague: Hague, world: World, writer) -> None:
    before = _counts(hague)
    assert _upload(app_client, world.case, writer, "empty.txt", b"", "text/plain").status_code == 422
    assert _counts(hague) == before


def test_invalid_utf8_json_is_a_4xx(app_client, hague: Hague, world: World, writer) -> None:
    body = (ATTACKS / "invalid_utf8.json").read_bytes()
    response = app_client.post("/api/v1/cases", content=body, headers={**writer, "content-type": "application/json"})
    assert 400 <= response.status_code < 500


def test_control_characters_in_a_title_are_refused(app_client, hague: Hague, world: World, writer) -> None:
    before = _counts(hague)
    body = {"kind": "physical", "title": "bad\x07title"}
    assert app_client.post(f"/api/v1/cases/{world.case}/items", json=body, headers=writer).status_code == 422
    assert _counts(hague) == before


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_are_stored_verbatim_and_rendered_escaped(
    app_client, hague: Hague, world: World, writer, text: str
) -> None:
    created = app_client.post(
        f"/api/v1/cases/{world.case}/items",
        json={"kind": "document", "title": text, "description": text, "place_name": text, "source": text},
        headers=writer,
    )
    assert created.status_code == 201, created.text
    ern = created.json()["ern"]
    assert created.json()["title"] == text
    incident = app_client.post(
        f"/api/v1/cases/{world.case}/incidents", json={"title": text, "description": text}, headers=writer
    )
    assert incident.status_code == 201
    with hague.reader() as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 5
        assert session.scalar(select(Incident.title).where(Incident.id == incident.json()["id"])) == text
    sign_in(app_client, "lead")
    for url in (f"/items/{ern}", f"/cases/{world.case}", f"/cases/{world.case}/map"):
        page = app_client.get(url).text
        assert str(escape(text)) in page
        for raw in ("<script>alert", "<img src=x", "<svg onload"):
            assert raw not in page
    assert "49" not in app_client.get(f"/items/{ern}").text.split("<h1>")[1].split("</h1>")[0]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_in_search_are_plain_words(app_client, hague: Hague, world: World, writer, text: str) -> None:
    response = app_client.get("/api/v1/search", params={"q": text}, headers=writer)
    assert response.status_code in {200, 422}
    if response.status_code == 200:
        assert isinstance(response.json()["items"], list)


def test_invalid_utf8_in_the_search_url_is_a_422(app_client, hague: Hague, world: World) -> None:
    response = app_client.get("/api/v1/search?q=%ff%fe", headers=token_for(hague, "lead", ["read"]))
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"


@pytest.fixture
def database_url(sqlite_factory, tmp_path) -> str:
    return sqlite_factory.new(tmp_path)
