"""Test material made at run time: a C2PA-signed JPEG (own CA), WARC and signed WACZ captures, documents."""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


@dataclass
class TestPKI:
    """A root CA and a C2PA signing certificate it issued (ES256)."""

    root_pem: bytes
    chain_pem: bytes
    key_pem: bytes


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Hague Test")]
    )


def make_pki() -> TestPKI:
    """A fresh root and leaf, valid from yesterday for a month."""
    now = datetime.datetime.now(datetime.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    usage = dict.fromkeys(
        (
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    root = (
        x509.CertificateBuilder()
        .subject_name(_name("Hague Test Root"))
        .issuer_name(_name("Hague Test Root"))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=False, key_cert_sign=True, crl_sign=True, **usage), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("Hague Test Signer"))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False, **usage), critical=True
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    return TestPKI(
        root_pem=root.public_bytes(pem),
        chain_pem=leaf.public_bytes(pem) + root.public_bytes(pem),
        key_pem=key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )


def c2pa_signed_jpeg(pki: TestPKI, picture: bytes) -> bytes:
    """`picture` with a C2PA manifest claiming it was captured, then cropped in an editor."""
    import c2pa

    manifest = {
        "claim_generator_info": [{"name": "hague-test-camera", "version": "1.0"}],
        "title": "checkpoint.jpg",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
                        },
                        {"action": "c2pa.cropped", "softwareAgent": {"name": "Field Editor 2"}},
                    ]
                },
            }
        ],
    }
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, pki.chain_pem, pki.key_pem, None))
    out = io.BytesIO()
    with c2pa.Builder(manifest) as builder:
        builder.sign(signer, "image/jpeg", io.BytesIO(picture), out)
    return out.getvalue()


PAGE = b"<html><head><title>Shelling report</title></head><body>Report</body></html>"
IMAGE_URL = "https://news.example.org/img/crater.png"
PAGE_URL = "https://news.example.org/2024/03/01/report.html"


def warc_bytes(image: bytes) -> bytes:
    """A gzipped WARC: warcinfo, the page's response and an image response."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    writer.write_record(writer.create_warcinfo_record("capture.warc.gz", {"software": "hague-test-crawler/1.0"}))
    for url, body, ctype, date in (
        (PAGE_URL, PAGE, "text/html", "2024-03-01T09:15:00Z"),
        (IMAGE_URL, image, "image/png", "2024-03-01T09:15:01Z"),
    ):
        http = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": date}
        )
        writer.write_record(record)
    return buf.getvalue()


def wacz_bytes(warc: bytes, signing_key: ec.EllipticCurvePrivateKey | None, tamper: str = "") -> bytes:
    """A WACZ 1.1.1 package around `warc`, signed anonymously (WACZ auth spec) when a key is given.

    `tamper`: "package" edits datapackage.json after signing; "signature" flips a bit of the signature.
    """
    pages = json.dumps({"format": "json-pages-1.0", "id": "pages"}) + "\n"
    pages += json.dumps({"url": PAGE_URL, "ts": "2024-03-01T09:15:00Z", "title": "Shelling report"}) + "\n"
    files = {"archive/data.warc.gz": warc, "pages/pages.jsonl": pages.encode()}
    resources = [
        {
            "name": name.rsplit("/", 1)[-1],
            "path": name,
            "hash": "sha256:" + hashlib.sha256(body).hexdigest(),
            "bytes": len(body),
        }
        for name, body in files.items()
    ]
    package = json.dumps(
        {"profile": "data-package", "wacz_version": "1.1.1", "created": "2024-03-01T09:20:00Z", "resources": resources}
    ).encode()
    digest_hash = "sha256:" + hashlib.sha256(package).hexdigest()
    digest: dict[str, object] = {"path": "datapackage.json", "hash": digest_hash}
    if signing_key is not None:
        der = signing_key.sign(digest_hash.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        public = signing_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        digest["signedData"] = {
            "hash": digest_hash,
            "signature": base64.b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode(),
            "publicKey": base64.b64encode(public).decode(),
            "created": "2024-03-01T09:20:01Z",
            "software": "hague-test-signer",
        }
    if tamper == "package":
        package = package.replace(b'"created": "2024', b'"created": "2023')
    if tamper == "signature" and isinstance(digest.get("signedData"), dict):
        signed = dict(digest["signedData"])  # type: ignore[call-overload]
        raw = bytearray(base64.b64decode(signed["signature"]))
        raw[5] ^= 0x01
        signed["signature"] = base64.b64encode(bytes(raw)).decode()
        digest["signedData"] = signed
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, body in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 3, 1, 9, 20, 0)), body)
        archive.writestr("datapackage.json", package)
        archive.writestr("datapackage-digest.json", json.dumps(digest))
    return buf.getvalue()


def pdf_bytes() -> bytes:
    """A one-page PDF with title and author (Pillow's PDF writer)."""
    buf = io.BytesIO()
    Image.new("RGB", (200, 100), (255, 255, 255)).save(
        buf, "PDF", title="Casualty list Kharkiv", author="Field Team 3", producer="hague-test"
    )
    return buf.getvalue()


def docx_bytes() -> bytes:
    """A minimal Office Open XML document with core properties (creator, dates)."""
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:title>Witness list draft</dc:title><dc:creator>Analyst A</dc:creator>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2024-03-02T10:00:00Z</dcterms:created>'
        "</cp:coreProperties>"
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="r1" '
        'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
        'Target="docProps/core.xml"/><Relationship Id="r2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/>'
        "</Relationships>"
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>draft</w:t></w:r></w:p></w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("docProps/core.xml", core)
        archive.writestr("word/document.xml", document)
    return buf.getvalue()
