"""Metadata at intake: each expected field of the fixture set is extracted, as suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest

from hague.media.extract import Extraction, extract_batch
from tests.media.conftest import MediaSet, job_for


def test_mime_type_is_sniffed_from_content(extracted: dict[str, Extraction]) -> None:
    assert extracted["gps_photo.jpg"].suggestions["mime_type"] == "image/jpeg"
    assert extracted["plain_photo.png"].suggestions["mime_type"] == "image/png"
    assert extracted["video.mp4"].suggestions["mime_type"] == "video/mp4"


def test_gps_becomes_a_suggested_collection_place(extracted: dict[str, Extraction]) -> None:
    place = extracted["gps_photo.jpg"].suggestions["place"]
    assert (round(float(place["lat"]), 4), round(float(place["lon"]), 4)) == (50.006, 36.23)
    assert place["source"] == "embedded GPS"


def test_photo_without_gps_suggests_no_place(extracted: dict[str, Extraction]) -> None:
    assert "place" not in extracted["plain_photo.png"].suggestions
    assert extracted["plain_photo.png"].status == "ok"


def test_capture_time_keeps_its_zone_and_utc(extracted: dict[str, Extraction]) -> None:
    captured = extracted["gps_photo.jpg"].suggestions["captured"]
    assert captured["local"] == "2024-03-01T10:22:33"
    assert captured["zone"] == "+02:00"
    assert captured["utc"] == "2024-03-01T08:22:33Z"


def test_device_make_model_serial_and_editing_software(extracted: dict[str, Extraction]) -> None:
    suggestions = extracted["gps_photo.jpg"].suggestions
    assert suggestions["device"] == {"make": "Canon", "model": "Canon EOS R6", "serial": "083024001234"}
    assert "Adobe Photoshop 25.1" in suggestions["software"]


def test_iptc_and_xmp_fields_are_read(extracted: dict[str, Extraction]) -> None:
    document = extracted["gps_photo.jpg"].suggestions["document"]
    assert document["city"] == "Kharkiv"
    assert document["author"] == "Field Team 3"
    assert document["description"] == "Checkpoint after shelling"


def test_extraction_records_each_tool_and_version(extracted: dict[str, Extraction]) -> None:
    tools = extracted["video.mp4"].tools
    assert {"exiftool", "pillow", "ffmpeg", "c2pa-python", "warcio"} <= set(tools)
    assert all(tools.values())


def test_video_duration_codecs_creation_time_and_location(extracted: dict[str, Extraction]) -> None:
    suggestions = extracted["video.mp4"].suggestions
    assert float(suggestions["media"]["duration_s"]) == 2.0
    assert "video:h264" in suggestions["media"]["codecs"]
    assert suggestions["captured"]["utc"] == "2024-03-01T08:00:00Z"
    assert (round(float(suggestions["place"]["lat"]), 3), round(float(suggestions["place"]["lon"]), 3)) == (
        50.006,
        36.23,
    )


def test_video_keyframes_are_hashed(extracted: dict[str, Extraction]) -> None:
    frames = extracted["video.mp4"].phash
    assert frames and all(len(frame) == 8 for frame in frames)


def test_pdf_title_author_and_pages(extracted: dict[str, Extraction]) -> None:
    document = extracted["list.pdf"].suggestions["document"]
    assert document["title"] == "Casualty list Kharkiv"
    assert document["author"] == "Field Team 3"
    assert document["page_count"] == 1


def test_office_document_core_properties(extracted: dict[str, Extraction]) -> None:
    suggestions = extracted["draft.docx"].suggestions
    assert suggestions["document"]["title"] == "Witness list draft"
    assert suggestions["document"]["author"] == "Analyst A"


def test_nothing_extracted_is_a_float(extracted: dict[str, Extraction]) -> None:
    def walk(value: object) -> None:
        assert not isinstance(value, float)
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for result in extracted.values():
        walk(result.suggestions)
        walk(result.raw)


def test_pillow_reads_exif_when_exiftool_is_missing(media_set: MediaSet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # the parser process finds no exiftool
    (result,) = extract_batch([job_for(media_set.gps_photo)])
    assert result.status == "partial"
    assert result.errors[0]["parser"] == "exiftool" and "could not run" in result.errors[0]["reason"]
    assert (round(float(result.suggestions["place"]["lat"]), 4), result.suggestions["device"]["make"]) == (
        50.006,
        "Canon",
    )
    assert result.suggestions["captured"]["utc"] == "2024-03-01T08:22:33Z"


def test_a_large_batch_gets_exiftool_data_for_every_file(media_set: MediaSet, tmp_path: Path) -> None:
    import shutil

    from hague.media import probes

    count = probes.EXIFTOOL_MIN_SLICE * 2 + 7  # enough for exiftool to be split across processes
    paths = []
    for n in range(count):
        paths.append(tmp_path / f"p{n:03d}.jpg")
        shutil.copyfile(media_set.gps_photo, paths[-1])
    results = extract_batch([job_for(p) for p in paths])
    assert [r.key for r in results] == [p.name for p in paths]
    assert all(r.status == "ok" and r.suggestions["device"]["make"] == "Canon" for r in results)
