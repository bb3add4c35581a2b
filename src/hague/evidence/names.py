"""Sanitising names that come from outside (file names, titles): kept as metadata, never used as paths."""

from __future__ import annotations

import unicodedata

MAX_NAME = 255


def sanitise_name(name: str) -> str:
    """Drop control characters and path separators, normalise to NFC, cap the length."""
    if name.isascii() and name.isprintable():  # the common case, same result without a per-character loop
        cleaned = name.replace("/", "_").replace("\\", "_").strip()
    else:
        # controls out first: a dropped control between a letter and its combining mark would leave them uncomposed
        kept = "".join("_" if ch in "/\\" else ch for ch in name if unicodedata.category(ch)[0] != "C")
        cleaned = unicodedata.normalize("NFC", kept).strip()
    while cleaned.startswith(".."):
        cleaned = cleaned[2:].lstrip("._ ")
    return cleaned[:MAX_NAME] or "unnamed"


def display_path(raw: str | bytes) -> str:
    """A safe printable form of a path that may hold undecodable bytes or control characters."""
    if isinstance(raw, str) and raw.isascii() and raw.isprintable():
        return raw  # nothing to escape (and no per-character loop for the common case)
    text = raw.decode("utf-8", "backslashreplace") if isinstance(raw, bytes) else raw
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ch if unicodedata.category(ch)[0] != "C" else f"\\x{ord(ch):02x}" for ch in text)
