"""Jinja2 environment for the pages: autoescaped, translated with the request's language."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from hague.web.i18n import current_locale, gettext, ngettext

TEMPLATES = Path(__file__).resolve().parent / "templates"


def human_size(size: int) -> str:
    """Bytes as B, KiB, MiB, GiB."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml"], default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["locale"] = current_locale.get
    env.filters["size"] = human_size
    return env


templates = Jinja2Templates(env=_environment())
