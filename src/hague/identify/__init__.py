"""Victim identification (INTERPOL DVI Guide, ICMP, Minnesota and Bournemouth Protocols; DOMAIN.md §5).

AM/PM records sharing one structure, bar-coded samples, STR profiles, frequency databases, exact kinship
and pedigree LRs, vectorised screening, joint identification, and the candidate -> notified workflow.
"""

from hague.identify import checks as _checks  # noqa: F401  (registers record checks)
