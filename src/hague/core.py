"""The one core object: settings, database engine, blob store, and the unit-of-work every write uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hague import ledger
from hague.db.engine import make_engine, migrate, reader_engine
from hague.settings import Settings, load_settings
from hague.store import BlobStore, open_store


@dataclass
class Unit:
    """One transaction: records written through `session` and entries appended with `attest` commit together."""

    session: Session
    appended: list[ledger.log.Appended] = field(default_factory=list)

    def attest(self, kind: str, fields: dict[str, Any]) -> ledger.log.Appended:
        """Append a log entry in this transaction (it commits or rolls back with the records)."""
        self.session.flush()
        result = ledger.append(self.session, kind, fields)
        self.appended.append(result)
        return result


class Hague:
    """A running Hague instance: open it once, then call the library's functions with it."""

    def __init__(self, settings: Settings, engine: Engine | None = None, store: BlobStore | None = None) -> None:
        self.settings = settings
        self.engine = engine or make_engine(settings.resolved_database_url)
        self.store = store or open_store(
            settings.resolved_store_url,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
        )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.read_engine = reader_engine(self.engine)
        self._readers = sessionmaker(self.read_engine, expire_on_commit=False)

    @classmethod
    def open(cls, settings: Settings | None = None, *, initialise: bool = True) -> Hague:
        """Open (and by default create/migrate) the instance described by `settings`."""
        settings = settings or load_settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        instance = cls(settings)
        if initialise:
            migrate(instance.engine)
        return instance

    @contextmanager
    def unit(self) -> Iterator[Unit]:
        """A write transaction; MUST be the only way records and log entries are written."""
        with self._sessions() as session, session.begin():
            yield Unit(session)

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only session: nothing is committed; loaded objects stay readable after it closes.

        On SQLite it reads one snapshot without taking the write lock, so readers run beside a writer; on
        PostgreSQL the server refuses writes from it (see `hague.db.engine.reader_engine`).
        """
        with self._readers() as session:
            yield session

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()
        self.read_engine.dispose()
