"""Intake into an S3-compatible store (moto server on loopback) behaves as on local disk."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from hague.core import Hague
from hague.evidence.ingest import ingest
from hague.settings import Settings
from tests.support.consistency import assert_consistent


@pytest.fixture
def s3_hague(settings: Settings, s3_url: str, s3_endpoint: str, hague: Hague) -> Hague:
    configured = settings.model_copy(
        update={
            "store_url": s3_url,
            "s3_endpoint_url": s3_endpoint,
            "s3_access_key_id": "test",
            "s3_secret_access_key": "test",
        }
    )
    return Hague(configured, engine=hague.engine)


def test_ingest_into_s3_registers_items_and_objects_under_their_digest(
    s3_hague: Hague, case_code: str, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.bin").write_bytes(b"A" * 20_000_000)
    (folder / "b.txt").write_text("statement")
    rows = ingest(s3_hague, case_code, [folder])
    assert sorted(r.status for r in rows) == ["registered", "registered"]
    digests = set(s3_hague.store.iter_digests())
    assert digests == {hashlib.sha256(b"A" * 20_000_000).hexdigest(), hashlib.sha256(b"statement").hexdigest()}
    assert_consistent(s3_hague)


def test_reingest_into_s3_is_idempotent(s3_hague: Hague, case_code: str, tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("statement")
    first = ingest(s3_hague, case_code, [tmp_path / "b.txt"])
    second = ingest(s3_hague, case_code, [tmp_path / "b.txt"])
    assert [r.status for r in second] == ["existing"] and second[0].ern == first[0].ern
    assert len(list(s3_hague.store.iter_digests())) == 1
