"""Ukrainian word forms in PostgreSQL full-text search, from the hunspell dictionary Debian ships (`hunspell-uk`).

With stemming on, the search configuration `hague_text` maps each word through `hague_uk` (an ispell dictionary
built from `uk_ua.affix`/`uk_ua.dict`, which Debian links into PostgreSQL's `tsearch_data`), then unaccent and
simple for what the dictionary does not know: "обстрілами" finds "обстріл". A server without those files (a
managed PostgreSQL, say) keeps the unstemmed mapping. Each database connection loads the dictionary once (about
two seconds), so an operator may also turn stemming off. Changing it re-indexes every item in one transaction.
SQLite's FTS5 index folds case and diacritics but has no stemming.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from hague.errors import ValidationError

Stemming = Literal["uk", "off"]
DICTIONARY = "hague_uk"
WITH_STEMMING = (DICTIONARY, "unaccent", "simple")
WITHOUT_STEMMING = ("unaccent", "simple")
CREATE = f"CREATE TEXT SEARCH DICTIONARY {DICTIONARY} (TEMPLATE = ispell, DictFile = uk_ua, AffFile = uk_ua)"
MAP = "ALTER TEXT SEARCH CONFIGURATION hague_text ALTER MAPPING FOR hword, hword_part, word WITH {}"
_LOCK = 0x4841475545  # advisory lock key: one re-mapping at a time


def _mapping(conn: Connection) -> tuple[str, ...]:
    rows = conn.execute(
        text(
            "SELECT d.dictname FROM pg_ts_config_map m JOIN pg_ts_config c ON c.oid = m.mapcfg "
            "JOIN pg_ts_dict d ON d.oid = m.mapdict "
            "JOIN ts_token_type('default') t ON t.tokid = m.maptokentype "
            "WHERE c.cfgname = 'hague_text' AND t.alias = 'word' ORDER BY m.mapseqno"
        )
    )
    return tuple(r[0] for r in rows)


def create_dictionary(conn: Connection) -> bool:
    """Create `hague_uk` if the server has the hunspell files; False (and nothing changed) if it has not."""
    if conn.execute(text("SELECT 1 FROM pg_ts_dict WHERE dictname = :n"), {"n": DICTIONARY}).first():
        return True
    try:
        with conn.begin_nested():
            conn.execute(text(CREATE))
    except DBAPIError:  # missing or unreadable files: not available on this server
        return False
    return True


def map_words(conn: Connection, stemming: Stemming) -> int:
    """Point `hague_text` at the wanted dictionaries and re-index every item if that changed; items re-indexed."""
    wanted = WITH_STEMMING if stemming == "uk" else WITHOUT_STEMMING
    if _mapping(conn) == wanted:
        return 0
    conn.execute(text(MAP.format(", ".join(wanted))))
    return len(conn.execute(text("SELECT hague_item_search_refresh(id) FROM items")).all())


def current(engine: Engine) -> Stemming:
    """Whether this database's search stems Ukrainian words."""
    if engine.dialect.name != "postgresql":
        return "off"
    with engine.connect() as conn:
        return "uk" if DICTIONARY in _mapping(conn) else "off"


def set_stemming(engine: Engine, stemming: Stemming) -> int:
    """Turn Ukrainian stemming on or off for this PostgreSQL database; returns how many items were re-indexed."""
    if stemming not in ("uk", "off"):
        raise ValidationError("stemming is 'uk' or 'off'", field="stemming")
    if engine.dialect.name != "postgresql":
        raise ValidationError("stemming is a PostgreSQL feature; SQLite's index folds case and diacritics only")
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})
        if stemming == "uk" and not create_dictionary(conn):
            raise ValidationError(
                "this PostgreSQL server has no Ukrainian hunspell dictionary (uk_ua.affix and uk_ua.dict in its "
                "tsearch_data folder; on Debian: apt-get install hunspell-uk)",
                field="stemming",
            )
        return map_words(conn, stemming)
