"""Near-duplicates across a case: re-encoded, resized, turned copies and re-encoded videos are found,
unrelated files are not; exact duplicates are grouped; clusters are browsable."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hague.core import Hague
from hague.evidence import register
from hague.media import duplicates, pipeline
from hague.media.extract import extract_batch
from hague.media.index import HammingIndex, brute_force
from hague.media.models import MediaExtraction
from tests.media.conftest import MediaSet, job_for, new_case


@dataclass
class Collected:
    """The fixture set taken in once, in its own case."""

    hague: Hague
    case_code: str
    erns: dict[str, str]


@pytest.fixture(scope="module")
def collected(shared_hague: Hague, media_set: MediaSet) -> Collected:
    case_code = new_case(shared_hague, "near-duplicates")
    paths = [
        media_set.gps_photo, *media_set.copies.values(), *media_set.unrelated, media_set.video,
        media_set.video_reencoded, media_set.other_video,
    ]  # fmt: skip
    rows, report = pipeline.ingest_with_media(shared_hague, case_code, paths)
    assert {r.status for r in rows} == {"registered"}
    assert len(report.files) == len(paths)
    return Collected(shared_hague, case_code, {r.path.rsplit("/", 1)[-1]: r.ern for r in rows})


def test_every_copy_is_found_as_a_near_duplicate_of_its_original(collected: Collected, media_set: MediaSet) -> None:
    for kind in media_set.copies:
        found = duplicates.similar_items(collected.hague, collected.erns[f"copy_{kind}.jpg"])
        matches = {m.ern: m.distance for m in found}
        assert collected.erns["gps_photo.jpg"] in matches, kind
        assert matches[collected.erns["gps_photo.jpg"]] <= duplicates.RADIUS


def test_unrelated_pictures_and_videos_are_not_near_duplicates(collected: Collected) -> None:
    for name in ("unrelated_11.jpg", "unrelated_12.jpg", "unrelated_13.jpg", "other_video.mp4"):
        assert duplicates.similar_items(collected.hague, collected.erns[name]) == [], name


def test_reencoded_video_is_found_at_intake(shared_hague: Hague, media_set: MediaSet) -> None:
    case_code = new_case(shared_hague)
    first, _ = pipeline.ingest_with_media(shared_hague, case_code, [media_set.video, media_set.other_video])
    _rows, report = pipeline.ingest_with_media(shared_hague, case_code, [media_set.video_reencoded])
    (outcome,) = report.files
    assert [m["ern"] for m in outcome.near_duplicates] == [first[0].ern]


def test_copies_in_one_intake_batch_find_each_other(collected: Collected) -> None:
    with collected.hague.reader() as session:
        item = register.get_item(session, collected.erns["copy_resize.jpg"])
        (row,) = session.scalars(select(MediaExtraction).where(MediaExtraction.item_id == item.id))
    assert collected.erns["gps_photo.jpg"] in {m["ern"] for m in row.suggestions["near_duplicates"]}


def test_clusters_group_the_copies_and_leave_unrelated_items_out(collected: Collected, media_set: MediaSet) -> None:
    erns = collected.erns
    near = [c for c in duplicates.clusters(collected.hague, collected.case_code) if c.kind == "near"]
    photo_cluster = next(c for c in near if erns["gps_photo.jpg"] in {m.ern for m in c.members})
    expected = {erns["gps_photo.jpg"], *(erns[f"copy_{k}.jpg"] for k in media_set.copies)}
    assert {m.ern for m in photo_cluster.members} == expected
    video_cluster = next(c for c in near if erns["video.mp4"] in {m.ern for m in c.members})
    assert {m.ern for m in video_cluster.members} == {erns["video.mp4"], erns["video_reencoded.mp4"]}
    assert len(near) == 2


def test_a_file_not_yet_collected_can_be_looked_up(collected: Collected, media_set: MediaSet) -> None:
    (probe,) = extract_batch([job_for(media_set.copies["rotate90"])])
    matches = duplicates.similar_to_hashes(collected.hague, collected.case_code, probe.phash)
    assert collected.erns["gps_photo.jpg"] in {m.ern for m in matches}


def test_same_content_under_two_items_is_an_exact_group(shared_hague: Hague, media_set: MediaSet) -> None:
    case_code = new_case(shared_hague)
    rows, _ = pipeline.ingest_with_media(shared_hague, case_code, [media_set.gps_photo])
    with shared_hague.unit() as unit:
        item = register.add_item(unit, case_code, register.ItemInput(kind="digital", title="same photo, other source"))
        register.attach_file(unit, item, rows[0].sha256, rows[0].size, "image/jpeg", "copy.jpg")
        second = item.ern
    exact = [c for c in duplicates.clusters(shared_hague, case_code) if c.kind == "exact"]
    assert [(c.key, [m.ern for m in c.members]) for c in exact] == [(rows[0].sha256, [rows[0].ern, second])]


def test_capture_response_equal_to_a_collected_file_joins_its_exact_group(
    shared_hague: Hague, media_set: MediaSet, tmp_path: Path
) -> None:
    case_code = new_case(shared_hague)
    png = tmp_path / "crater.png"
    png.write_bytes(media_set.png_in_capture)
    rows, _ = pipeline.ingest_with_media(shared_hague, case_code, [png, media_set.warc])
    exact = [c for c in duplicates.clusters(shared_hague, case_code) if c.kind == "exact"]
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


def test_index_catches_up_with_rows_committed_out_of_id_order(shared_hague: Hague, media_set: MediaSet) -> None:
    from sqlalchemy import delete

    from hague.media.models import MediaHash

    case_code = new_case(shared_hague)
    rows, _ = pipeline.ingest_with_media(shared_hague, case_code, [media_set.gps_photo, *media_set.unrelated])
    with shared_hague.unit() as unit:  # hide the photo's hash, as if its writer had not committed yet
        hidden = unit.session.scalars(
            select(MediaHash).where(MediaHash.item_id == _item_id(unit.session, rows[0].ern))
        ).one()
        saved = (hidden.id, hidden.case_id, hidden.item_id, hidden.file_id, hidden.extraction_id, hidden.value)
        unit.session.execute(delete(MediaHash).where(MediaHash.id == hidden.id))
    (probe,) = extract_batch([job_for(media_set.copies["reencode"])])
    assert duplicates.similar_to_hashes(shared_hague, case_code, probe.phash) == []
    with shared_hague.unit() as unit:  # the late commit lands below the ids the index has seen
        unit.session.add(
            MediaHash(
                id=saved[0],
                case_id=saved[1],
                item_id=saved[2],
                file_id=saved[3],
                extraction_id=saved[4],
                value=saved[5],
            )
        )
    assert [m.ern for m in duplicates.similar_to_hashes(shared_hague, case_code, probe.phash)] == [rows[0].ern]


def _item_id(session: object, ern: str) -> int:
    return register.get_item(session, ern).id  # type: ignore[arg-type]
