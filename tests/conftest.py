"""Fixtures: every `hague` test runs on SQLite and on PostgreSQL; S3 tests use a real loopback endpoint."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from hague.core import Hague
from hague.settings import Settings
from tests.support.databases import PostgresFactory, SqliteFactory, require_postgres
from tests.support.s3 import make_bucket, moto_server

os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")

# No timings in tests: hypothesis's default 200 ms deadline per example can fail properties on a loaded CI machine for
# reasons that have nothing to do with the property. A failure prints its reproduction blob.
settings.register_profile("hague", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "hague"))


@pytest.fixture(scope="session")
def sqlite_factory(tmp_path_factory: pytest.TempPathFactory) -> SqliteFactory:
    return SqliteFactory(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_factory(worker_id: str) -> Iterator[PostgresFactory]:
    require_postgres()
    factory = PostgresFactory(worker_id)
    yield factory
    factory.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh migrated database on each backend."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_factory").new(tmp_path)
        return
    factory: PostgresFactory = request.getfixturevalue("postgres_factory")
    url = factory.new()
    yield url
    factory.drop(url)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
def hague(settings: Settings) -> Iterator[Hague]:
    """A Hague instance on a fresh database and local store."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    instance = Hague(settings)
    yield instance
    instance.close()


@pytest.fixture
def case_code(hague: Hague) -> str:
    """An organisation `OTP` with one open case in situation `UKR`."""
    from hague.evidence import register

    with hague.unit() as unit:
        register.create_organisation(unit, "OTP", "Office of the Prosecutor")
        return register.create_case(unit, "OTP", "UKR", "Test case").code


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def s3_url(s3_endpoint: str) -> str:
    bucket = f"hague-{uuid.uuid4().hex[:10]}"
    make_bucket(s3_endpoint, bucket)
    return f"s3://{bucket}/evidence"
