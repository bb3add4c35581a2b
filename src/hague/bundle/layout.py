"""Where things live inside a disclosure bag, and the small helpers the creator and the verifier share.

Dependency-light on purpose (stdlib only): the offline verifier imports it. Paths are relative to the
bag's payload folder `data/`.
"""

from __future__ import annotations

import base64
import re

FORMAT = "hague-disclosure-bundle/v1"
METADATA_JSON = "metadata/items.json"
METADATA_CSV = "metadata/items.csv"
ENTRIES_JSON = "log/entries.json"
CHECKPOINT = "log/checkpoint.txt"
KEYS = "log/keys.txt"
INDEX_HTML = "index.html"
INDEX_PDF = "index.pdf"
CSV_COLUMNS = (
    "ern",
    "collected_at",
    "collected_tz",
    "title",
    "kind",
    "source",
    "language",
    "classification",
    "pseudonym",
    "versions",
    "sha256",
    "external_refs",
)
FILE_ENTRY_KINDS = ("file.added", "derivative.added")
ERN = re.compile(r"^[A-Z][A-Z0-9]{1,7}-[A-Z][A-Z0-9]{1,7}-\d{4,}-\d{4,}$")
EXTENSIONS = {
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "video/mp4": ".mp4",
    "audio/mpeg": ".mp3",
    "application/json": ".json",
}


def file_path(ern: str, sha256: str, mime_type: str) -> str:
    """Payload path of one file: named by ERN and hash only (never by an uploaded name)."""
    return f"files/{ern}/{sha256}{EXTENSIONS.get(mime_type, '.bin')}"


def custody_path(ern: str) -> str:
    """Payload path of an item's custody history."""
    return f"custody/{ern}.json"


def upstream_path(ern: str) -> str:
    """Payload path of the sender's proofs for an item this instance received in a bundle."""
    return f"upstream/{ern}.json"


def item_of_path(path: str) -> str | None:
    """The ERN a payload path belongs to (files, custody, upstream), or None for bundle-wide files."""
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] == "data" and parts[1] in ("files", "custody", "upstream"):
        candidate = parts[2] if parts[1] == "files" else parts[2].removesuffix(".json")
        return candidate if ERN.match(candidate) else None
    return None


def b64(raw: bytes) -> str:
    """Standard base64 text."""
    return base64.b64encode(raw).decode("ascii")


def versions_text(files: list[dict[str, object]]) -> str:
    """The versions column of the metadata table: `-Red (redacted); (original)`."""
    return "; ".join(f"{f.get('ern_suffix') or ''} ({f.get('derivation') or 'original'})".strip() for f in files)
