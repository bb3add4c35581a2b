"""Testimony and witness protection: pseudonyms, identity vault, interviews, consent, redaction, repeat warnings.

DOMAIN.md §3–4 (ICC pseudonyms and redactions; Eurojust/ICC-OTP guidelines 2022, Murad Code 2022).
"""

from hague.testimony import checks as _checks  # noqa: F401  (registers record checks)
from hague.testimony.consent import defence_disclosable, testimony_visible_to, visible_items, withdraw_consent
from hague.testimony.identity import Identity, parse_identity
from hague.testimony.interviews import InterviewInput, add_interview, add_interview_file, list_interviews
from hague.testimony.redaction import RedactionSpec, lift, redact
from hague.testimony.vault import MasterKey, Vault, init_key_file, rotate_master_key
from hague.testimony.witnesses import RepeatWarning, add_witness, check_repeat, list_witnesses, reveal

__all__ = [
    "Identity",
    "InterviewInput",
    "MasterKey",
    "RedactionSpec",
    "RepeatWarning",
    "Vault",
    "add_interview",
    "add_interview_file",
    "add_witness",
    "check_repeat",
    "defence_disclosable",
    "init_key_file",
    "lift",
    "list_interviews",
    "list_witnesses",
    "parse_identity",
    "redact",
    "reveal",
    "rotate_master_key",
    "testimony_visible_to",
    "visible_items",
    "withdraw_consent",
]
