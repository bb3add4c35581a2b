"""Web captures (inside the parser process): WARC records and WACZ packages, with signature checks.

WARC: ISO 28500; WACZ 1.1.1 (datapackage.json, datapackage-digest.json); signatures per the
Webrecorder "WACZ Signing and Verification" recommendation (ECDSA P-256 over the digest's `hash`).
Zip bombs are refused from the declared sizes before anything is inflated, and reads are bounded.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
import zlib
from typing import IO, Any

MAX_RECORDS = 5000
MAX_ENTRIES = 100_000
MAX_ENTRY_BYTES = 4 * 1024**3
MAX_TOTAL_BYTES = 16 * 1024**3
MAX_RATIO = 100
MAX_JSON = 64 * 1024**2
CHUNK = 1024 * 1024


class ZipBomb(ValueError):
    """A WACZ whose declared sizes or compression ratio are those of a decompression bomb."""


def is_warc(head: bytes) -> bool:
    """WARC files start with `WARC/1.`, possibly inside gzip members."""
    if head.startswith(b"\x1f\x8b"):
        try:  # a partial gzip member: inflate what is there
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith(b"WARC/1.")


def _sha256_stream(stream: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def warc_records(stream: IO[bytes]) -> dict[str, Any]:
    """Every record's type, target URI, date and id; response/resource payloads hashed (SHA-256)."""
    from warcio.archiveiterator import ArchiveIterator

    records: list[dict[str, Any]] = []
    count = 0
    info: dict[str, str] = {}
    for record in ArchiveIterator(stream):
        count += 1
        headers = record.rec_headers
        entry: dict[str, Any] = {
            "type": record.rec_type,
            "target_uri": headers.get_header("WARC-Target-URI"),
            "date": headers.get_header("WARC-Date"),
            "record_id": headers.get_header("WARC-Record-ID"),
        }
        if record.rec_type in ("response", "resource", "revisit"):
            if record.http_headers is not None:
                entry["http_status"] = record.http_headers.get_statuscode()
                entry["content_type"] = record.http_headers.get_header("Content-Type")
            entry["payload_digest"] = headers.get_header("WARC-Payload-Digest")
            entry["sha256"], entry["length"] = _sha256_stream(record.content_stream())
        elif record.rec_type == "warcinfo" and not info:
            text = record.content_stream().read(64 * 1024).decode("utf-8", "replace")
            info = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
            info = {k.strip(): v.strip() for k, v in list(info.items())[:50]}
        if len(records) < MAX_RECORDS:
            records.append(entry)
    responses = [r for r in records if r["type"] in ("response", "resource")]
    first = next((r for r in responses if str(r.get("content_type") or "").startswith("text/html")), None)
    first = first or (responses[0] if responses else None)
    return {
        "records": records,
        "record_count": count,
        "warcinfo": info,
        "target_url": first["target_uri"] if first else None,
        "captured_at": first["date"] if first else None,
    }


def _check_zip(archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ZipBomb(f"zip bomb: {len(infos)} entries")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_ENTRY_BYTES or (info.file_size > CHUNK and ratio > MAX_RATIO):
            raise ZipBomb(
                f"zip bomb: entry {info.filename[:100]!r} inflates to {info.file_size} bytes (ratio {ratio:.0f})"
            )
    if total > MAX_TOTAL_BYTES:
        raise ZipBomb(f"zip bomb: entries inflate to {total} bytes in all")


def _read_json(archive: zipfile.ZipFile, name: str) -> Any:
    if archive.getinfo(name).file_size > MAX_JSON:
        raise ValueError(f"{name} is larger than {MAX_JSON} bytes")
    with archive.open(name) as fh:
        return json.loads(fh.read(MAX_JSON + 1), parse_float=str)


def _verify_signature(signed: dict[str, Any], digest_hash: str) -> dict[str, Any]:
    """Check `signedData`: its hash MUST equal the digest's, and the ECDSA signature MUST verify over it."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    result: dict[str, Any] = {"created": signed.get("created"), "software": signed.get("software")}
    if signed.get("hash") != digest_hash:
        return {**result, "status": "invalid", "reason": "signed hash differs from datapackage digest"}
    try:
        raw_sig = base64.b64decode(str(signed.get("signature", "")), validate=True)
        if signed.get("publicKey"):
            key = serialization.load_der_public_key(base64.b64decode(str(signed["publicKey"]), validate=True))
            result.update(
                kind="anonymous", key_sha256=hashlib.sha256(base64.b64decode(signed["publicKey"])).hexdigest()
            )
        elif signed.get("domainCert"):
            certs = x509.load_pem_x509_certificates(str(signed["domainCert"]).encode())
            key = certs[0].public_key()
            result.update(kind="domain", domain=signed.get("domain"), subject=certs[0].subject.rfc4514_string())
        else:
            return {**result, "status": "invalid", "reason": "no public key or certificate"}
        if not isinstance(key, ec.EllipticCurvePublicKey):
            return {**result, "status": "invalid", "reason": "key is not an ECDSA key"}
        half = (key.curve.key_size + 7) // 8
        der = (
            encode_dss_signature(int.from_bytes(raw_sig[:half]), int.from_bytes(raw_sig[half:]))
            if len(raw_sig) == 2 * half
            else raw_sig
        )
        key.verify(der, digest_hash.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return {**result, "status": "invalid", "reason": "signature does not verify"}
    except (ValueError, TypeError) as exc:
        return {**result, "status": "invalid", "reason": f"malformed signature data: {str(exc)[:200]}"}
    # an anonymous key or an unanchored domain certificate proves integrity, not identity
    return {**result, "status": "valid" if result["kind"] == "anonymous" else "untrusted"}


def wacz_package(path: str) -> dict[str, Any]:
    """A WACZ's pages, resources (hashes checked), signature status and the records of its WARCs."""
    with zipfile.ZipFile(path) as archive:
        _check_zip(archive)
        names = set(archive.namelist())
        out: dict[str, Any] = {"format": "wacz"}
        package = _read_json(archive, "datapackage.json") if "datapackage.json" in names else {}
        out["wacz_version"] = package.get("wacz_version") if isinstance(package, dict) else None
        resources = []
        for res in (package.get("resources") or [])[:MAX_RECORDS] if isinstance(package, dict) else []:
            name = str(res.get("path", ""))
            if name not in names:
                resources.append({"path": name[:300], "status": "missing"})
                continue
            with archive.open(name) as fh:
                found, size = _sha256_stream(fh)
            ok = str(res.get("hash", "")).removeprefix("sha256:") == found
            resources.append({"path": name, "sha256": found, "bytes": str(size), "status": "ok" if ok else "mismatch"})
        out["resources"] = resources
        if "datapackage-digest.json" in names:
            digest = _read_json(archive, "datapackage-digest.json")
            with archive.open("datapackage.json") as fh:
                actual = "sha256:" + _sha256_stream(fh)[0]
            signature: dict[str, Any] = {"present": bool(digest.get("signedData"))}
            if digest.get("hash") != actual:
                signature.update(status="invalid", reason="datapackage.json does not match its digest")
            elif isinstance(digest.get("signedData"), dict):
                signature.update(_verify_signature(digest["signedData"], actual))
            out["signature"] = signature
        else:
            out["signature"] = {"present": False}
        pages_name = next((n for n in ("pages/pages.jsonl", "pages.jsonl") if n in names), None)
        pages = []
        if pages_name:
            with archive.open(pages_name) as fh:
                for line in fh.read(MAX_JSON).splitlines()[:MAX_RECORDS]:
                    try:
                        page = json.loads(line, parse_float=str)
                    except ValueError:
                        continue
                    if isinstance(page, dict) and page.get("url"):
                        pages.append({"url": page.get("url"), "ts": page.get("ts"), "title": page.get("title")})
        out["pages"] = pages
        warcs = sorted(n for n in names if n.startswith("archive/") and ".warc" in n)
        records: list[dict[str, Any]] = []
        count = 0
        for name in warcs:
            with archive.open(name) as fh:
                part = warc_records(fh)
            count += part["record_count"]
            records.extend(r | {"warc": name} for r in part["records"][: MAX_RECORDS - len(records)])
            out.setdefault("target_url", part["target_url"])
            out.setdefault("captured_at", part["captured_at"])
        out["records"], out["record_count"] = records, count
        if pages:
            out["target_url"], out["captured_at"] = pages[0]["url"], pages[0]["ts"] or out.get("captured_at")
        return out
