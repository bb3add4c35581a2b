"""Court disclosure bundles: BagIt packages of items with their files, metadata, custody and log proofs.

Submodules: `create` (package a selection), `verify` (offline: no database, no network; imports only
the stdlib, `bagit`, `cryptography` and `hague.ledger.verify_offline`), `receive` (import into another
instance), `case_uco` (CASE/UCO JSON-LD export). This package file imports nothing so that the offline
verifier stays dependency-light.
"""
