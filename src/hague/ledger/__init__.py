"""The verifiable evidence log: an RFC 9162 Merkle tree of canonical entries, appended in-transaction."""

from hague.ledger.canonical import canonical_json, record_hash
from hague.ledger.log import append, log_size, root_hash

__all__ = ["append", "canonical_json", "log_size", "record_hash", "root_hash"]
