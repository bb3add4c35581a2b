"""Web captures: WARC and WACZ target URL, capture time, response records with their own hashes, signatures."""

from __future__ import annotations

import hashlib

from hague.media.extract import Extraction
from tests.media import builders
from tests.media.conftest import MediaSet


def test_warc_gives_target_url_and_capture_time(extracted: dict[str, Extraction]) -> None:
    capture = extracted["capture.warc.gz"].suggestions["web_capture"]
    assert capture["format"] == "warc"
    assert capture["target_url"] == builders.PAGE_URL
    assert capture["captured_at"] == "2024-03-01T09:15:00Z"


def test_warc_response_records_carry_their_payload_hashes(
    extracted: dict[str, Extraction], media_set: MediaSet
) -> None:
    records = extracted["capture.warc.gz"].suggestions["web_capture"]["records"]
    by_url = {r["target_uri"]: r for r in records if r["type"] == "response"}
    assert by_url[builders.IMAGE_URL]["sha256"] == hashlib.sha256(media_set.png_in_capture).hexdigest()
    assert by_url[builders.PAGE_URL]["sha256"] == hashlib.sha256(builders.PAGE).hexdigest()
    assert by_url[builders.PAGE_URL]["http_status"] == "200"


def test_wacz_pages_resources_and_records(extracted: dict[str, Extraction]) -> None:
    capture = extracted["capture.wacz"].suggestions["web_capture"]
    assert capture["format"] == "wacz"
    assert capture["target_url"] == builders.PAGE_URL
    assert capture["captured_at"] == "2024-03-01T09:15:00Z"
    assert {r["status"] for r in capture["resources"]} == {"ok"}
    assert sum(1 for r in capture["records"] if r["type"] == "response") == 2


def test_signed_wacz_signature_is_verified(extracted: dict[str, Extraction]) -> None:
    signature = extracted["capture.wacz"].suggestions["web_capture"]["signature"]
    assert signature["present"] is True
    assert signature["status"] == "valid"
    assert signature["kind"] == "anonymous"


def test_unsigned_wacz_says_so(extracted: dict[str, Extraction]) -> None:
    assert extracted["unsigned.wacz"].suggestions["web_capture"]["signature"] == {"present": False}


def test_wacz_edited_after_signing_is_invalid(extracted: dict[str, Extraction]) -> None:
    signature = extracted["tampered.wacz"].suggestions["web_capture"]["signature"]
    assert signature["status"] == "invalid"
    assert "does not match" in signature["reason"]


def test_wacz_with_a_forged_signature_is_invalid(extracted: dict[str, Extraction]) -> None:
    signature = extracted["bad_signature.wacz"].suggestions["web_capture"]["signature"]
    assert signature == signature | {"status": "invalid", "reason": "signature does not verify"}
