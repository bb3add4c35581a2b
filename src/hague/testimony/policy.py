"""Which per-case roles may do what with testimony (need-to-know; see `hague.access.roles.ROLES`)."""

from __future__ import annotations

from hague.access.roles import ROLES

SEE: frozenset[str] = frozenset(ROLES)
"""Everyone with a role on the case sees pseudonyms and interview records."""
RECORD: frozenset[str] = frozenset({"investigator", "wpo", "case_lead"})
"""Who adds witnesses, interviews and their files."""
REVEAL: frozenset[str] = frozenset({"wpo", "case_lead"})
"""Who may reveal an identity (each reveal audited); admins are not included on purpose."""
EXPORT: frozenset[str] = frozenset({"wpo", "case_lead"})
"""Who may export linkage encodings to partners and match partners' encodings."""
REDACT: frozenset[str] = frozenset({"analyst", "wpo", "case_lead"})
"""Who prepares redacted versions for disclosure and lifts redactions."""
CONSENT: frozenset[str] = frozenset({"investigator", "wpo", "case_lead"})
"""Who records a withdrawal of consent."""
