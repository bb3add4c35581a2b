"""Digital evidence: metadata at intake, C2PA provenance, near-duplicates, web captures, hostile files.

Names are imported lazily so the parser process (`hague.media.probes`) starts without the database layer.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Cluster": "duplicates",
    "Match": "duplicates",
    "clusters": "duplicates",
    "similar_items": "duplicates",
    "similar_to_hashes": "duplicates",
    "Extraction": "extract",
    "FileJob": "extract",
    "extract_batch": "extract",
    "extract_files": "extract",
    "ExtractReport": "pipeline",
    "FileOutcome": "pipeline",
    "extract_case": "pipeline",
    "ingest_with_media": "pipeline",
    "intake_hook": "pipeline",
    "reprocess": "pipeline",
    "Limits": "sandbox",
    "SandboxFailure": "sandbox",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'hague.media' has no attribute {name!r}")
    return getattr(importlib.import_module(f"hague.media.{_EXPORTS[name]}"), name)
