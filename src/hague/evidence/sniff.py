"""MIME type sniffed from content (libmagic), never from the file name."""

from __future__ import annotations

import magic

HEAD = 64 * 1024


def sniff_mime(head: bytes) -> str:
    """The MIME type libmagic reads in the first bytes; empty content is `application/x-empty`."""
    if not head:
        return "application/x-empty"
    try:
        return str(magic.from_buffer(head, mime=True)) or "application/octet-stream"
    except magic.MagicException:
        return "application/octet-stream"
