"""Imports every area's models so `Base.metadata` is complete (for Alembic and tests).

Each area adds one import line here when it gains tables.
"""

from hague.access import auth_models as web_auth_models  # noqa: F401
from hague.bundle import models as bundle_models  # noqa: F401
from hague.casualties import models as casualties_models  # noqa: F401
from hague.custody import models as custody_models  # noqa: F401
from hague.evidence import models as evidence_models
from hague.forensics import models as forensics_models  # noqa: F401
from hague.identify import models as identify_models  # noqa: F401
from hague.ledger import models as ledger_models
from hague.media import models as media_models  # noqa: F401
from hague.search import models as search_models  # noqa: F401
from hague.testimony import models as testimony_models  # noqa: F401
from hague.workflow import models as workflow_models  # noqa: F401

__all__ = ["evidence_models", "ledger_models"]
