"""Fixtures for custody tests: people with and without roles, a physical and a digital item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hague.access import create_user, grant_role
from hague.core import Hague
from hague.custody.models import CustodyEvent, CustodyState, IntegrityIncident
from hague.evidence import register
from hague.evidence.models import File, Item, User
from hague.evidence.register import ItemInput
from hague.ledger import log_size

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@dataclass
class Scene:
    """A case with staff and items, ready for custody events."""

    hague: Hague
    case: str
    physical: str
    digital: str
    digital_sha: str

    def user(self, username: str) -> User:
        with self.hague.reader() as session:
            user = session.scalar(select(User).where(User.username == username))
            assert user is not None
            return user

    def at(self, hours: float) -> datetime:
        return T0 + timedelta(hours=hours)


def counts(hague: Hague) -> tuple[int, ...]:
    """Rows that a refused write must leave untouched: events, states, incidents, items, files, log size."""
    with hague.reader() as session:
        return (
            *(
                int(session.scalar(select(func.count()).select_from(model)) or 0)
                for model in (CustodyEvent, CustodyState, IntegrityIncident, Item, File)
            ),
            log_size(session),
        )


@pytest.fixture
def scene(hague: Hague, case_code: str, tmp_path: Path) -> Scene:
    """OTP case with alice/bob (custodians), erin (analyst), lead (case lead), mallory (no role); police org UNP."""
    with hague.unit() as unit:
        register.create_organisation(unit, "UNP", "National Police of Ukraine")
        for username, name, org in (
            ("alice", "Alice Kovalenko", "OTP"),
            ("bob", "Bob Martens", "OTP"),
            ("erin", "Erin Lab", "OTP"),
            ("lead", "Lena Lead", "OTP"),
            ("mallory", "Mallory Outsider", "OTP"),
            ("petro", "Petro Police", "UNP"),
        ):
            create_user(unit, username, name, org)
        for username, role in (
            ("alice", "custodian"),
            ("bob", "custodian"),
            ("erin", "analyst"),
            ("lead", "case_lead"),
        ):
            grant_role(unit, case_code, username, role)
        grant_role(unit, case_code, "petro", "investigator")
        physical = register.add_item(
            unit, case_code, ItemInput(kind="physical", title="Cartridge case", collected_at=T0 - timedelta(hours=1))
        )
    source = tmp_path / "phone.img"
    source.write_bytes(b"disk image of a seized phone" * 100)
    blob = hague.store.put_path(source)
    with hague.unit() as unit:
        digital = register.add_item(
            unit, case_code, ItemInput(kind="digital", title="Phone image", collected_at=T0 - timedelta(hours=1))
        )
        register.attach_file(unit, digital, blob.sha256, blob.size, "application/octet-stream", "phone.img")
    return Scene(hague, case_code, physical.ern, digital.ern, blob.sha256)
