"""Fresh, migrated databases for each test: a copied SQLite file, or a PostgreSQL database from a template."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hague.db.engine import make_engine, migrate

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    """The server used for PostgreSQL tests."""
    return os.environ.get("HAGUE_TEST_POSTGRES_URL", DEFAULT_PG)


def postgres_available() -> bool:
    """True if the test server answers."""
    try:
        engine = create_engine(postgres_url(), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def require_postgres() -> None:
    """Skip without PostgreSQL locally; fail in CI, where it is mandatory."""
    if postgres_available():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("PostgreSQL is mandatory in CI but is not reachable at " + postgres_url())
    pytest.skip("PostgreSQL not reachable")


class SqliteFactory:
    """Copies a migrated template SQLite file for each test."""

    def __init__(self, root: Path) -> None:
        self.template = root / "template.sqlite3"
        engine = make_engine(f"sqlite:///{self.template}")
        migrate(engine)
        engine.dispose()  # the last connection to close checkpoints the WAL into the main file

    def new(self, directory: Path) -> str:
        target = directory / "hague.sqlite3"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"


class PostgresFactory:
    """Clones a migrated template database for each test (CREATE DATABASE ... TEMPLATE)."""

    def __init__(self, worker: str) -> None:
        self.server = make_url(postgres_url())
        self.template = f"hague_tpl_{worker}_{uuid.uuid4().hex[:6]}"
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.template}"'))
        engine = make_engine(self.server.set(database=self.template).render_as_string(hide_password=False))
        migrate(engine)
        engine.dispose()

    def new(self) -> str:
        name = f"hague_t_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        self.created.append(name)
        return self.server.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))

    def close(self) -> None:
        for name in [self.template]:
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        self.admin.dispose()
