"""Forensic and ballistic item forms (Small Arms Survey, CAR iTrace, INTERPOL DVI, Bournemouth) and incident links."""
