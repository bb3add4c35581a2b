"""Near-duplicates across a case: re-encoded, resized, turned copies and re-encoded videos are found,
unrelated files are not; exact duplicates are grouped; clusters are browsable."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hague.core import Hague
from hague.evidence import register
from hague.media import duplicates, pipeline
from hague.media.extract import extract_batch
from hague.media.index import HammingIndex, brute_force
from tests.media.conftest import MediaSet, job_for


def _ingest_set(hague: Hague, case_code: str, media_set: MediaSet) -> dict[str, str]:
    paths = [
        media_set.gps_photo, *media_set.copies.values(), *media_set.unrelated, media_set.video,
        media_set.video_reencoded, media_set.other_video,
    ]  # fmt: skip
    rows, report = pipeline.ingest_with_media(hague, case_code, paths)
    assert {r.status for r in rows} == {"registered"}
    assert len(report.files) == len(paths)
    return {r.path.rsplit("/", 1)[-1]: r.ern for r in rows}


def test_every_copy_is_found_as_a_near_duplicate_of_its_original(
    hague: Hague, case_code: str, media_set: MediaSet
) -> None:
    erns = _ingest_set(hague, case_code, media_set)
    for kind in media_set.copies:
        matches = {m.ern: m.distance for m in duplicates.similar_items(hague, erns[f"copy_{kind}.jpg"])}
        assert erns["gps_photo.jpg"] in matches, kind
        assert matches[erns["gps_photo.jpg"]] <= duplicates.RADIUS


def test_unrelated_pictures_and_videos_are_not_near_duplicates(
    hague: Hague, case_code: str, media_set: MediaSet
) -> None:
    erns = _ingest_set(hague, case_code, media_set)
    for name in ("unrelated_11.jpg", "unrelated_12.jpg", "unrelated_13.jpg", "other_video.mp4"):
        assert duplicates.similar_items(hague, erns[name]) == [], name


def test_reencoded_video_is_found_at_intake(hague: Hague, case_code: str, media_set: MediaSet) -> None:
    paths = [media_set.video, media_set.other_video]
    pipeline.ingest_with_media(hague, case_code, paths)
    _rows, report = pipeline.ingest_with_media(hague, case_code, [media_set.video_reencoded])
    (outcome,) = report.files
    original = register.list_items(hague.reader().__enter__(), case_code)[0].ern
    assert [m["ern"] for m in outcome.near_duplicates] == [original]


def test_clusters_group_the_copies_and_leave_unrelated_items_out(
    hague: Hague, case_code: str, media_set: MediaSet
) -> None:
    erns = _ingest_set(hague, case_code, media_set)
    found = duplicates.clusters(hague, case_code)
    near = [c for c in found if c.kind == "near"]
    photo_cluster = next(c for c in near if erns["gps_photo.jpg"] in {m.ern for m in c.members})
    expected = {erns["gps_photo.jpg"], *(erns[f"copy_{k}.jpg"] for k in media_set.copies)}
    assert {m.ern for m in photo_cluster.members} == expected
    video_cluster = next(c for c in near if erns["video.mp4"] in {m.ern for m in c.members})
    assert {m.ern for m in video_cluster.members} == {erns["video.mp4"], erns["video_reencoded.mp4"]}
    assert len(near) == 2


def test_a_file_not_yet_collected_can_be_looked_up(hague: Hague, case_code: str, media_set: MediaSet) -> None:
    erns = _ingest_set(hague, case_code, media_set)
    (probe,) = extract_batch([job_for(media_set.copies["rotate90"])])
    matches = duplicates.similar_to_hashes(hague, case_code, probe.phash)
    assert erns["gps_photo.jpg"] in {m.ern for m in matches}


def test_same_content_under_two_items_is_an_exact_group(hague: Hague, case_code: str, media_set: MediaSet) -> None:
    rows, _ = pipeline.ingest_with_media(hague, case_code, [media_set.gps_photo])
    with hague.unit() as unit:
        item = register.add_item(unit, case_code, register.ItemInput(kind="digital", title="same photo, other source"))
        register.attach_file(unit, item, rows[0].sha256, rows[0].size, "image/jpeg", "copy.jpg")
        second = item.ern
    exact = [c for c in duplicates.clusters(hague, case_code) if c.kind == "exact"]
    assert [(c.key, [m.ern for m in c.members]) for c in exact] == [(rows[0].sha256, [rows[0].ern, second])]


def test_capture_response_equal_to_a_collected_file_joins_its_exact_group(
    hague: Hague, case_code: str, media_set: MediaSet, tmp_path: object
) -> None:
    from pathlib import Path

    png = Path(str(tmp_path)) / "crater.png"
    png.write_bytes(media_set.png_in_capture)
    rows, _ = pipeline.ingest_with_media(hague, case_code, [png, media_set.warc])
    exact = [c for c in duplicates.clusters(hague, case_code) if c.kind == "exact"]
    assert [sorted(m.ern for m in c.members) for c in exact] == [sorted(r.ern for r in rows)]


@settings(max_examples=60, deadline=None)
@given(
    stored=st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=300),
    query=st.integers(0, 2**64 - 1),
    flips=st.lists(st.integers(0, 63), max_size=12),
    radius=st.integers(0, 16),
)
def test_multi_index_search_equals_brute_force(stored: list[int], query: int, flips: list[int], radius: int) -> None:
    for bit in flips:  # a query close to a stored hash, so that hits are common
        stored[0] ^= 1 << bit
    hashes = np.array(stored, dtype=np.uint64)
    index = HammingIndex(hashes[: len(hashes) // 2])
    index.add(hashes[len(hashes) // 2 :])
    for probe in (query, stored[0] ^ (1 << (flips[0] if flips else 0))):
        hits, dists = index.search(probe, radius)
        expected, expected_d = brute_force(hashes, probe, radius)
        assert sorted(zip(hits.tolist(), dists.tolist(), strict=True)) == sorted(
            zip(expected.tolist(), expected_d.tolist(), strict=True)
        )
