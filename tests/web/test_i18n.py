"""English and Ukrainian interface: every template message is translated, and the language can be chosen."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from hague.web import i18n
from hague.web.locale.uk import UK

WEB = Path(i18n.__file__).resolve().parent


def template_messages() -> set[str]:
    method_map = [("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = extract_from_dir(str(WEB), method_map, options)
    return {message for _file, _line, message, _comments, _context in found if isinstance(message, str)}


def test_every_template_message_has_a_ukrainian_translation() -> None:
    messages = template_messages()
    assert len(messages) > 40
    assert sorted(messages - set(UK)) == []


def test_compiled_catalogue_matches_the_source() -> None:
    catalogue = i18n.translations("uk")
    assert {msgid: catalogue.gettext(msgid) for msgid in UK} == UK


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [("uk", None, "uk"), (None, "uk-UA,uk;q=0.9,en;q=0.8", "uk"), (None, "de-DE,fr", "en"), ("xx", "en", "en")],
)
def test_language_choice(cookie: str | None, header: str | None, expected: str) -> None:
    assert i18n.pick_locale(cookie, header) == expected


def test_sign_in_page_in_ukrainian(app_client) -> None:
    page = app_client.get("/signin", headers={"accept-language": "uk"})
    assert '<html lang="uk">' in page.text
    assert "Одноразовий код" in page.text


def test_language_switch_sets_a_cookie_and_stays_on_site(app_client) -> None:
    response = app_client.get("/lang/uk?next=//evil.example/", follow_redirects=False)
    assert response.headers["location"] == "/"
    assert "hague_lang=uk" in response.headers["set-cookie"]


@pytest.fixture
def database_url(sqlite_factory, tmp_path) -> str:
    return sqlite_factory.new(tmp_path)
