"""Fixtures for the log: a populated instance (every foundation entry type), keys and a checkpoint."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest

from hague.access import create_user, grant_role, revoke, share
from hague.core import Hague
from hague.evidence import register
from hague.ledger.checkpoints import create_checkpoint
from hague.ledger.keys import generate_key


@dataclass
class Populated:
    """What `populate` created."""

    case: str
    erns: list[str]
    blobs: list[str]


def populate(hague: Hague, items: int = 4) -> Populated:
    """Organisations, a case, an incident, items with files and a derivative, users, roles, shares."""
    with hague.unit() as unit:
        register.create_organisation(unit, "OTP", "Office of the Prosecutor")
        register.create_organisation(unit, "UAPG", "Prosecutor General of Ukraine")
        case = register.create_case(unit, "OTP", "UKR", "Attacks on civilian infrastructure").code
        incident = register.add_incident(unit, case, "Strike on a power station", lat=49.5, lon=31.2)
        create_user(unit, "lead", "Case Lead", "OTP", clearance="confidential", is_admin=True)
        create_user(unit, "inv", "Investigator", "OTP")
        grant_role(unit, case, "inv", "investigator", granted_by="lead")
    erns: list[str] = []
    blobs: list[str] = []
    for i in range(items):
        blob = hague.store.put_stream(io.BytesIO(f"evidence file {i}\n".encode() * (i + 1)))
        with hague.unit() as unit:
            item = register.add_item(
                unit,
                case,
                register.ItemInput(kind="digital", title=f"Photo {i}", incident_ids=(incident.id,), lat=49.1, lon=31.0),
            )
            original = register.attach_file(unit, item, blob.sha256, blob.size, "image/jpeg", f"photo-{i}.jpg")
            erns.append(item.ern)
            blobs.append(blob.sha256)
            if i == 0:
                red = hague.store.put_stream(io.BytesIO(b"redacted copy"))
                register.add_derivative(unit, original, red.sha256, red.size, "image/jpeg", "redacted", "faces")
                blobs.append(red.sha256)
    with hague.unit() as unit:
        from hague.access import get_user

        lead = get_user(unit.session, "lead")
        share(unit, case, "UAPG", lead)
        share(unit, case, "UAPG", lead, ern=erns[0])
        revoke(unit, case, "UAPG", lead, ern=erns[0])
    return Populated(case, erns, blobs)


@pytest.fixture
def populated(hague: Hague) -> Populated:
    """A populated instance with a signing key and one checkpoint."""
    result = populate(hague)
    generate_key(hague)
    create_checkpoint(hague)
    return result
