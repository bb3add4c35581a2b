"""Extraction reads stored originals from an S3-compatible store (moto on loopback) through temporary copies."""

from __future__ import annotations

from hague.core import Hague
from hague.media import pipeline
from hague.settings import Settings
from tests.media.conftest import MediaSet


def test_extraction_works_on_an_s3_store(
    settings: Settings, s3_url: str, s3_endpoint: str, hague: Hague, case_code: str, media_set: MediaSet
) -> None:
    configured = settings.model_copy(
        update={
            "store_url": s3_url,
            "s3_endpoint_url": s3_endpoint,
            "s3_access_key_id": "test",
            "s3_secret_access_key": "test",
        }
    )
    s3_hague = Hague(configured, engine=hague.engine)
    rows, report = pipeline.ingest_with_media(s3_hague, case_code, [media_set.gps_photo, media_set.c2pa_photo])
    assert [r.status for r in rows] == ["registered", "registered"]
    assert [f.status for f in report.files] == ["ok", "ok"]
    assert not hasattr(s3_hague.store, "path_of")  # the temporary-copy path was the one exercised
