"""The verifiable evidence log: an RFC 9162 Merkle tree of canonical entries, appended in-transaction.

Submodules load lazily so that `hague.ledger.verify_offline` (stdlib + cryptography) can be imported
by the defence's verifier without pulling in SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hague.ledger import log as log
    from hague.ledger.canonical import canonical_json, record_hash
    from hague.ledger.log import append, append_many, log_size, root_hash

__all__ = ["append", "append_many", "canonical_json", "log", "log_size", "record_hash", "root_hash"]

_LAZY = {
    "append": "hague.ledger.log",
    "append_many": "hague.ledger.log",
    "log_size": "hague.ledger.log",
    "root_hash": "hague.ledger.log",
    "canonical_json": "hague.ledger.canonical",
    "record_hash": "hague.ledger.canonical",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name == "log":
        value = importlib.import_module("hague.ledger.log")
    else:
        raise AttributeError(f"module 'hague.ledger' has no attribute {name!r}")
    globals()[name] = value  # resolved once: `ledger.append` is on the hot path of every attest
    return value
