"""Record checks: for each entry type, how `verify` recomputes the attested record hash from the database.

Each area registers its checks with `@record_check("kind")`; a check gets the entry's fields and
returns the record hash recomputed from current rows (raising NotFound if the record is gone).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session

RecordCheck = Callable[[Session, dict[str, Any]], str]
CHECKS: dict[str, RecordCheck] = {}


def record_check(kind: str) -> Callable[[RecordCheck], RecordCheck]:
    """Register how to recompute the record hash of entries of type `kind`."""

    def register(func: RecordCheck) -> RecordCheck:
        CHECKS[kind] = func
        return func

    return register


EntryKey = tuple[Any, ...]
KeyOf = Callable[[dict[str, Any]], EntryKey | None]
RowLister = Callable[[Session], Iterable[tuple[EntryKey, str]]]
ROWS: dict[str, tuple[KeyOf, RowLister]] = {}


def record_rows(kind: str, key: KeyOf) -> Callable[[RowLister], RowLister]:
    """Register which rows MUST have an entry of type `kind`: the lister yields (key, label) per row and
    `key(fields)` gives the same key for an entry, so `verify` can name rows that were never attested."""

    def register(func: RowLister) -> RowLister:
        ROWS[kind] = (key, func)
        return func

    return register
