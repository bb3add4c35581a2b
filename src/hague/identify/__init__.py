"""Victim identification (INTERPOL DVI, ICMP): AM/PM records, STR profiles, kinship LRs, screening, workflow."""
