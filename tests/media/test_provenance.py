"""C2PA content credentials: manifest, signer, validation status and the claimed edit history."""

from __future__ import annotations

from pathlib import Path

from hague.media.extract import Extraction, extract_batch
from tests.media.conftest import MediaSet, job_for


def test_signed_jpeg_shows_its_signer_and_claimed_edits(extracted: dict[str, Extraction]) -> None:
    credentials = extracted["c2pa_signed.jpg"].suggestions["c2pa"]
    assert credentials["signer"]["common_name"] == "Hague Test Signer"
    assert credentials["signer"]["issuer"] == "Hague Test"
    assert credentials["claim_generator"] == ["hague-test-camera"]
    assert [a["action"] for a in credentials["actions"]] == ["c2pa.created", "c2pa.cropped"]
    assert credentials["actions"][1]["software_agent"] == "Field Editor 2"


def test_signer_outside_the_trust_anchors_is_untrusted(extracted: dict[str, Extraction]) -> None:
    assert extracted["c2pa_signed.jpg"].suggestions["c2pa"]["status"] == "untrusted"


def test_signer_chaining_to_a_trust_anchor_is_valid(media_set: MediaSet) -> None:
    (result,) = extract_batch([job_for(media_set.c2pa_photo)], trust=media_set.pki.root_pem.decode())
    assert result.suggestions["c2pa"]["status"] == "valid"


def test_altered_signed_jpeg_is_invalid(media_set: MediaSet, tmp_path: Path) -> None:
    data = bytearray(media_set.c2pa_photo.read_bytes())
    data[-300] ^= 0xFF  # a byte of the picture, covered by the manifest's data hash
    altered = tmp_path / "altered.jpg"
    altered.write_bytes(bytes(data))
    (result,) = extract_batch([job_for(altered)], trust=media_set.pki.root_pem.decode())
    assert result.suggestions["c2pa"]["status"] == "invalid"
    assert "assertion.dataHash.mismatch" in result.suggestions["c2pa"]["failures"]


def test_file_without_credentials_has_no_c2pa_section(extracted: dict[str, Extraction]) -> None:
    assert "c2pa" not in extracted["gps_photo.jpg"].suggestions
