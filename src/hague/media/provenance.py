"""C2PA content credentials (inside the parser process): manifest, signer, validation, claimed edits.

Validation status follows the C2PA trust model: `valid` (signature checks and the signer chains to a
configured trust anchor), `untrusted` (checks pass but the signer is not anchored), `invalid`.
"""

from __future__ import annotations

import json
from typing import Any

MARKERS = (b"c2pa", b"jumb")
SCAN = 4 * 1024 * 1024
READER_MIMES = ("image/jpeg", "image/png", "image/webp", "image/avif", "image/heic", "image/tiff", "video/mp4")


def has_manifest_marker(head: bytes, tail: bytes) -> bool:
    """A cheap look for a JUMBF/C2PA box in the first and last 4 MB before loading the C2PA reader."""
    return any(m in head or m in tail for m in MARKERS)


def _status(state: str | None, results: dict[str, Any] | None) -> str:
    if state == "Trusted":
        return "valid"
    if state == "Valid":
        return "untrusted"
    return "invalid"


def _actions(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for assertion in manifest.get("assertions") or []:
        if str(assertion.get("label", "")).startswith("c2pa.actions"):
            for action in (assertion.get("data") or {}).get("actions") or []:
                agent = action.get("softwareAgent")
                out.append(
                    {
                        "action": action.get("action"),
                        "when": action.get("when"),
                        "software_agent": agent.get("name") if isinstance(agent, dict) else agent,
                        "digital_source_type": action.get("digitalSourceType"),
                    }
                )
    return out


def read_credentials(path: str, mime: str, trust_anchors: str | None) -> dict[str, Any] | None:
    """The active manifest summarised, or None when the file carries no content credentials."""
    import c2pa

    settings: dict[str, Any] = {"verify": {"verify_trust": bool(trust_anchors)}}
    if trust_anchors:
        settings["trust"] = {"trust_anchors": trust_anchors}
    context = c2pa.Context.from_dict(settings)
    fmt = mime if mime in READER_MIMES else None
    with open(path, "rb") as fh:
        try:
            reader = c2pa.Reader(fmt, fh, context=context)
        except c2pa.C2paError as exc:
            if "ManifestNotFound" in type(exc).__name__ or "not found" in str(exc).lower():
                return None
            return {"status": "invalid", "error": f"{type(exc).__name__}: {str(exc)[:300]}"}
        with reader:
            store = json.loads(reader.json())
            manifest = reader.get_active_manifest() or {}
            state = reader.get_validation_state()
            results = reader.get_validation_results() or {}
    active = results.get("activeManifest") or {}
    signature = manifest.get("signature_info") or {}
    generator = manifest.get("claim_generator_info") or []
    return {
        "status": _status(state, results),
        "validation_state": state,
        "failures": [f.get("code") for f in active.get("failure") or []],
        "manifest": manifest.get("label"),
        "manifests": len(store.get("manifests") or {}),
        "title": manifest.get("title"),
        "claim_generator": [g.get("name") for g in generator if isinstance(g, dict)],
        "signer": {
            "common_name": signature.get("common_name"),
            "issuer": signature.get("issuer"),
            "alg": signature.get("alg"),
            "time": signature.get("time"),
            "serial": signature.get("cert_serial_number"),
        },
        "actions": _actions(manifest),
        "ingredients": [i.get("title") for i in manifest.get("ingredients") or [] if isinstance(i, dict)],
    }
