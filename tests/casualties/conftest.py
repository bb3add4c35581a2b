"""Fixtures: a case with an analyst and a case lead, and helpers to write source lists and check log entries."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hague.access import roles
from hague.core import Hague
from hague.ledger.attest import CHECKS
from hague.ledger.models import LogEntry

MAPPING = {
    "columns": {
        "name": "ПІБ",
        "sex": "стать",
        "age": "вік",
        "date": "дата",
        "place_name": "населений пункт",
        "region": "область",
        "status": "статус",
        "verification": "верифікація",
        "territorial_control": "контроль",
        "source_document": "документ",
    },
    "values": {"status": {"загинув": "killed", "поранений": "injured"}},
}


@pytest.fixture
def people(hague: Hague, case_code: str) -> dict[str, str]:
    """An analyst, a case lead and a viewer on the case."""
    with hague.unit() as unit:
        for username, role in (("ana", "analyst"), ("lead", "case_lead"), ("vic", "viewer")):
            roles.create_user(unit, username, username.title(), "OTP")
            roles.grant_role(unit, case_code, username, role)
    return {"analyst": "ana", "lead": "lead", "viewer": "vic"}


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write rows as a UTF-8 CSV with the keys of the first row as header."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def check_entries(hague: Hague, prefix: str = "casualties.") -> int:
    """Recompute every casualties entry's record hash from the rows; return how many were checked."""
    checked = 0
    with hague.reader() as session:
        for entry in session.scalars(select(LogEntry).where(LogEntry.kind.like(f"{prefix}%")).order_by(LogEntry.seq)):
            fields = json.loads(entry.body)
            assert CHECKS[entry.kind](session, fields) == fields["record"], f"entry {entry.seq} ({entry.kind})"
            checked += 1
    return checked
