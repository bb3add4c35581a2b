"""Who may do what: users, per-case roles, clearance levels (need-to-know)."""

from hague.access.roles import (
    CLEARANCE_ORDER,
    ROLES,
    clears,
    create_user,
    get_user,
    grant_role,
    require_role,
    roles_on,
)
from hague.access.sharing import revoke, share, shared_organisations

__all__ = [
    "CLEARANCE_ORDER",
    "ROLES",
    "clears",
    "create_user",
    "get_user",
    "grant_role",
    "require_role",
    "revoke",
    "roles_on",
    "share",
    "shared_organisations",
]
