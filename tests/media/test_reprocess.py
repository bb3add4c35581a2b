"""Extraction runs are versioned and attested: reprocessing adds a run, earlier runs stay, `verify` can
recompute each from the rows, and the collector's record is never changed."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select, update

from hague.core import Hague
from hague.evidence import register
from hague.ledger.attest import CHECKS
from hague.ledger.models import LogEntry
from hague.media import pipeline
from hague.media.models import MediaExtraction
from hague.media.sandbox import Limits
from tests.media.conftest import MediaSet


def _attested(hague: Hague) -> list[tuple[dict[str, object], str]]:
    """Each media.extracted entry with the record hash recomputed from the rows now."""
    with hague.reader() as session:
        entries = session.scalars(select(LogEntry).where(LogEntry.kind == "media.extracted").order_by(LogEntry.seq))
        out = []
        for entry in entries:
            fields = json.loads(entry.body)
            out.append((fields, CHECKS["media.extracted"](session, fields)))
        return out


def test_reprocess_adds_a_run_and_keeps_the_earlier_one(hague: Hague, case_code: str, media_set: MediaSet) -> None:
    rows, _ = pipeline.ingest_with_media(hague, case_code, [media_set.gps_photo])
    with hague.reader() as session:
        first = session.scalars(select(MediaExtraction)).one()
    report = pipeline.reprocess(hague, case_code)
    assert [(f.ern, f.run, f.status) for f in report.files] == [(rows[0].ern, 2, "ok")]
    with hague.reader() as session:
        runs = list(session.scalars(select(MediaExtraction).order_by(MediaExtraction.run)))
    assert [r.run for r in runs] == [1, 2]
    assert (runs[0].extracted_at, runs[0].suggestions, runs[0].tools) == (
        first.extracted_at,
        first.suggestions,
        first.tools,
    )
    assert runs[1].extracted_at >= runs[0].extracted_at
    assert runs[1].tools["exiftool"] == runs[0].tools["exiftool"]


def test_extract_case_only_takes_files_without_a_result(hague: Hague, case_code: str, media_set: MediaSet) -> None:
    register_rows = pipeline.ingest_with_media(hague, case_code, [media_set.gps_photo])[0]
    from hague.evidence.ingest import ingest

    ingest(hague, case_code, [media_set.plain_photo])  # plain intake: no extraction yet
    report = pipeline.extract_case(hague, case_code)
    assert [f.ern for f in report.files] == [f"{case_code}-0002"]
    assert register_rows[0].ern == f"{case_code}-0001"


def test_every_run_is_attested_and_recomputes_from_its_rows(hague: Hague, case_code: str, media_set: MediaSet) -> None:
    pipeline.ingest_with_media(hague, case_code, [media_set.gps_photo, media_set.video])
    pipeline.reprocess(hague, case_code)
    attested = _attested(hague)
    assert len(attested) == 4
    assert all(fields["record"] == recomputed for fields, recomputed in attested)


def test_an_edited_suggestion_no_longer_matches_the_log(hague: Hague, case_code: str, media_set: MediaSet) -> None:
    pipeline.ingest_with_media(hague, case_code, [media_set.gps_photo])
    with hague.unit() as unit:
        unit.session.execute(update(MediaExtraction).values(suggestions={"place": {"lat": "48.0", "lon": "37.8"}}))
    ((fields, recomputed),) = _attested(hague)
    assert fields["record"] != recomputed


def test_suggestions_never_overwrite_the_collectors_record(hague: Hague, case_code: str, media_set: MediaSet) -> None:
    rows, _ = pipeline.ingest_with_media(hague, case_code, [media_set.gps_photo])
    with hague.reader() as session:
        item = register.get_item(session, rows[0].ern)
        extraction = session.scalars(select(MediaExtraction)).one()
    assert (item.lat, item.lon, item.place_name) == (None, None, "")
    assert extraction.suggestions["place"]["lat"].startswith("50.006")


def test_intake_completes_when_every_parser_fails(hague: Hague, case_code: str, media_set: MediaSet) -> None:
    too_small = Limits(memory_bytes=48 << 20)  # the parser interpreter cannot even start
    rows, report = pipeline.ingest_with_media(
        hague, case_code, [media_set.gps_photo, media_set.plain_photo], limits=too_small
    )
    assert [r.status for r in rows] == ["registered", "registered"]
    assert [f.status for f in report.files] == ["failed", "failed"]
    assert all(f.errors[0]["parser"] == "sandbox" for f in report.files)
    assert all(f.errors[0]["reason"].startswith("parser failed: ") for f in report.files)  # the real cause


def test_intake_completes_when_the_extraction_step_itself_breaks(
    hague: Hague, case_code: str, media_set: MediaSet, tmp_path: Path
) -> None:
    broken = pipeline.intake_hook(hague, case_code, batch=0)  # range() refuses a zero step: the hook must absorb it
    from hague.evidence.ingest import ingest

    rows = ingest(hague, case_code, [media_set.gps_photo], after=broken)
    assert [r.status for r in rows] == ["registered"]
    assert pipeline.extract_case(hague, case_code).files[0].status == "ok"  # picked up later


def test_verify_recomputes_media_runs_and_finds_an_edited_one(
    hague: Hague, case_code: str, media_set: MediaSet
) -> None:
    from hague.ledger.fsck import verify

    pipeline.ingest_with_media(hague, case_code, [media_set.gps_photo])
    pipeline.reprocess(hague, case_code)
    assert verify(hague, blobs=False).ok
    with hague.unit() as unit:
        unit.session.execute(update(MediaExtraction).where(MediaExtraction.run == 1).values(status="failed"))
    findings = verify(hague, blobs=False).findings
    assert any("media.extracted" in f.subject and "run 1" in f.subject for f in findings), findings
