"""Interface language (English, Ukrainian) with Babel catalogues; the language of a request is a context variable."""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

LOCALES = ("en", "uk")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANG_COOKIE = "hague_lang"
current_locale: ContextVar[str] = ContextVar("current_locale", default="en")


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue of `locale` (English falls back to the message ids)."""
    return Translations.load(str(LOCALE_DIR), [locale], domain="messages")


def gettext(message: str) -> str:
    """Translate into the request's language."""
    return translations(current_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate with a plural form into the request's language."""
    return translations(current_locale.get()).ngettext(singular, plural, n)


def pick_locale(cookie: str | None, accept_language: str | None) -> str:
    """The cookie's choice if supported, else the first supported language the browser asks for, else English."""
    if cookie in LOCALES:
        return str(cookie)
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LOCALES:
            return tag
    return "en"


class LanguageMiddleware:
    """Sets the request's language (pure ASGI, so errors raised while reading the body are not wrapped)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get(b"cookie", b"").decode("latin-1"))
        except CookieError:
            cookie = SimpleCookie()
        chosen = cookie.get(LANG_COOKIE)
        accept = headers.get(b"accept-language", b"").decode("latin-1")
        token = current_locale.set(pick_locale(chosen.value if chosen else None, accept))
        try:
            await self.app(scope, receive, send)
        finally:
            current_locale.reset(token)
