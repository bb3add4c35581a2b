"""Imports every area's models so `Base.metadata` is complete (for Alembic and tests).

Each area adds one import line here when it gains tables.
"""

from hague.evidence import models as evidence_models
from hague.ledger import models as ledger_models

__all__ = ["evidence_models", "ledger_models"]
