"""Database plumbing: the declarative base, engines for SQLite and PostgreSQL, and migrations."""

from hague.db.base import Base, utcnow
from hague.db.engine import make_engine, migrate

__all__ = ["Base", "make_engine", "migrate", "utcnow"]
