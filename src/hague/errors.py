"""One error hierarchy, rendered once for the CLI and once for HTTP.

Messages MUST NOT contain witness identities; they name records by ERN, pseudonym or hash.
"""

from __future__ import annotations

from typing import Any


class HagueError(Exception):
    """Base of every error Hague raises on purpose; `code` is stable, `message` is for people."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The error as a JSON-ready body."""
        return {"error": self.code, "message": self.message, "details": self.details}


class ValidationError(HagueError):
    """Input that does not meet a rule; nothing was written."""

    code = "invalid"
    http_status = 422


class NotFound(HagueError):
    """The named case, item, file or record does not exist (or is not visible to the caller)."""

    code = "not_found"
    http_status = 404


class Conflict(HagueError):
    """The request contradicts the current state (duplicate, wrong custodian, item in transit...)."""

    code = "conflict"
    http_status = 409


class PermissionDenied(HagueError):
    """The caller's role, clearance or organisation does not allow this."""

    code = "forbidden"
    http_status = 403


class IntakeError(HagueError):
    """A file could not be taken in (unreadable, changed while read, not a regular file...)."""

    code = "intake_failed"
    http_status = 422


class StoreError(HagueError):
    """The blob store failed (disk full, backend unreachable); nothing half-written is visible."""

    code = "store_failed"
    http_status = 507


class IntegrityError(HagueError):
    """Stored content or records do not match what was attested."""

    code = "integrity"
    http_status = 409


class VerificationError(HagueError):
    """A proof, signature or checkpoint failed to verify; carries the step and the evidence."""

    code = "verification_failed"
    http_status = 422


class ConfigurationError(HagueError):
    """Settings are missing or contradictory."""

    code = "configuration"
    http_status = 500
