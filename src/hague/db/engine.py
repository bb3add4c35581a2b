"""Engines for SQLite (default, embedded) and PostgreSQL, with the same write semantics on both.

SQLite runs in WAL mode with `synchronous=FULL`, and every write transaction starts with `BEGIN IMMEDIATE`
so writers are serialised up front instead of failing on lock upgrade. Read-only sessions (engine option
`hague_read`) start a deferred transaction: a consistent WAL snapshot that neither waits for nor blocks writers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event

if TYPE_CHECKING:
    from alembic.config import Config

READ_ONLY = "hague_read"  # execution option of the engine behind read-only sessions
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, FULL sync, foreign keys and immediate transactions."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "isolation_level": None}, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

        return engine
    # A web worker runs 4 request threads (HAGUE_WEB_THREADS), each holding one connection at a time: keep
    # more than that open, so connections are not opened and closed under load.
    kwargs.setdefault("pool_size", 10)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def reader_engine(engine: Engine) -> Engine:
    """The engine behind read-only sessions.

    SQLite: the same engine (a deferred BEGIN reads one WAL snapshot). PostgreSQL: its own pool of connections
    that the server holds read-only (`default_transaction_read_only`), in autocommit: under READ COMMITTED each
    statement reads its own snapshot inside a transaction too, so BEGIN and ROLLBACK would be two round trips
    per read for nothing, and a write slipped into a read fails instead of committing.
    """
    if engine.dialect.name != "postgresql":
        return engine.execution_options(**{READ_ONLY: True})
    reader = make_engine(
        engine.url.render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
        connect_args={"options": "-c default_transaction_read_only=on"},
    )
    return reader.execution_options(**{READ_ONLY: True})


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at Hague's packaged migrations."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision of every area's branch (`alembic upgrade heads`)."""
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
