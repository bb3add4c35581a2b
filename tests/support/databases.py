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
from hague.search.stemming import map_words, set_stemming

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
    """Fresh migrated databases per test, cloned from a template and recycled.

    DROP DATABASE forces a checkpoint (seconds on a busy disk), so a used database is emptied with one
    TRUNCATE ... RESTART IDENTITY instead and handed to the next test; one whose schema a test changed
    is dropped.
    """

    def __init__(self, worker: str) -> None:
        self.server = make_url(postgres_url())
        self.template = f"hague_tpl_{worker}_{uuid.uuid4().hex[:6]}"
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []
        self.pool: list[str] = []
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.template}"'))
        engine = make_engine(self._url(self.template))
        migrate(engine)
        # Each connection would load the Ukrainian hunspell dictionary (about 2 s): tests run unstemmed, as an
        # operator can choose, and the stemming tests turn it on in their own database.
        set_stemming(engine, "off")
        with engine.connect() as conn:
            self.versions = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
            self.tables = sorted(
                conn.execute(
                    text(
                        "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables"
                        " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
                        " AND tablename <> 'alembic_version'"
                    )
                ).scalars()
            )
        engine.dispose()

    def _url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def new(self) -> str:
        if self.pool:
            return self._url(self.pool.pop())
        name = f"hague_t_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        self.created.append(name)
        return self._url(name)

    def _terminate(self, conn: object, name: str) -> None:
        conn.execute(  # type: ignore[attr-defined]
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        )

    def drop(self, url: str) -> None:
        """Give the database back: emptied for reuse, or dropped if its schema changed."""
        name = make_url(url).database or ""
        with self.admin.connect() as conn:
            self._terminate(conn, name)
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                versions = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
                tables = sorted(
                    conn.execute(
                        text(
                            "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables"
                            " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
                            " AND tablename <> 'alembic_version'"
                        )
                    ).scalars()
                )
                if versions == self.versions and tables == self.tables:
                    # DELETE, not TRUNCATE or DROP: no relation files to create and sync, no checkpoint.
                    conn.execute(text("SET LOCAL session_replication_role = replica"))  # FKs off while emptying
                    for table in tables:
                        conn.execute(text(f"DELETE FROM {table}"))
                    sequences = list(
                        conn.execute(
                            text("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences")
                        ).scalars()
                    )
                    for sequence in sequences:
                        conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))
                    map_words(conn, "off")
                    self.pool.append(name)
                    return
        finally:
            engine.dispose()
        self._drop(name)

    def _drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            self._terminate(conn, name)
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))

    def close(self) -> None:
        for name in [*self.pool, self.template]:
            self._drop(name)
        self.admin.dispose()
