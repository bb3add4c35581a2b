"""Fixtures for bundles: a sender instance with every kind of item, a receiver, and a witness between them.

The sender (`icc.example/log`) holds two digital items (one with a redacted version), a physical item
with a custody trail, and a witness interview whose transcript names the witness and has an approved
`-Red` version. The receiver (`pgo.example/log`) is a second instance with its own data folder,
database and signing key; the witness is a third party (uvicorn on loopback) cosigning both logs.
"""

from __future__ import annotations

import hashlib
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from tests.ledger.servers import witness_server
from tests.testimony.conftest import interview_data
from tests.testimony.test_leak import PEOPLE

from hague.access import create_user, grant_role, share
from hague.access.roles import get_user
from hague.core import Hague
from hague.custody.events import record
from hague.custody.inputs import EventInput
from hague.evidence import register
from hague.ledger.keys import generate_key, trusted_keys
from hague.ledger.note import Signer, parse_verifier_key
from hague.ledger.witness_client import add_witness
from hague.settings import Settings
from hague.testimony.identity import parse_identity
from hague.testimony.interviews import add_interview, add_interview_file, parse_interview
from hague.testimony.redaction import RedactionSpec, redact
from hague.testimony.vault import MasterKey, Vault
from hague.testimony.witnesses import add_witness as add_protected_witness

SENDER_ORIGIN = "icc.example/log"
RECEIVER_ORIGIN = "pgo.example/log"


@dataclass
class Sender:
    """What `populate_sender` made."""

    case: str
    digital: list[str]
    physical: str
    testimony: str
    pseudonym: str
    transcript_sha256: str
    extra: dict[str, str] = field(default_factory=dict)


def vkeys(hague: Hague) -> list[str]:
    """The instance's log verifier keys (every key it signed with)."""
    with hague.reader() as session:
        return [k.to_text() for k in trusted_keys(session)]


def populate_sender(hague: Hague) -> Sender:
    """Organisations, a case shared with PGO, users, items, a custody trail and a redacted testimony."""
    with hague.unit() as unit:
        register.create_organisation(unit, "OTP", "Office of the Prosecutor")
        register.create_organisation(unit, "PGO", "Prosecutor General's Office")
        case = register.create_case(unit, "OTP", "UKR", "Strikes on Bucha").code
        incident = register.add_incident(unit, case, "Strike on a school", lat=50.54, lon=30.21)
        create_user(unit, "lead", "Case Lead", "OTP", clearance="strictly_confidential")
        create_user(unit, "cus", "Evidence Custodian", "OTP", clearance="strictly_confidential")
        create_user(unit, "viewer", "Viewer", "OTP")
        grant_role(unit, case, "lead", "case_lead")
        grant_role(unit, case, "cus", "custodian")
        grant_role(unit, case, "viewer", "viewer")
    digital = []
    for i in range(2):
        blob = hague.store.put_stream(io.BytesIO(f"photo {i} of the school\n".encode() * (50 + i)))
        with hague.unit() as unit:
            item = register.add_item(
                unit,
                case,
                register.ItemInput(
                    kind="digital",
                    title=f'Photo {i}, "school", north wall',
                    collected_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
                    collected_tz="Europe/Kyiv",
                    source="field team camera",
                    language="uk",
                    tool="Camera",
                    tool_version="1.2",
                    incident_ids=(incident.id,),
                    lat=50.54,
                    lon=30.21,
                ),
            )
            original = register.attach_file(unit, item, blob.sha256, blob.size, "image/jpeg", f"IMG_{i}.jpg")
            if i == 0:
                red = hague.store.put_stream(io.BytesIO(b"photo 0 with faces blurred\n"))
                register.add_derivative(unit, original, red.sha256, red.size, "image/jpeg", "redacted", "faces")
            digital.append(item.ern)
    with hague.unit() as unit:
        physical = register.add_item(
            unit, case, register.ItemInput(kind="physical", title="Shell fragment", incident_ids=(incident.id,))
        ).ern
    t0 = datetime.now(UTC) - timedelta(days=3)
    with hague.reader() as session:
        lead, cus = get_user(session, "lead"), get_user(session, "cus")
    record(hague, physical, lead, EventInput("collected", t0, "Europe/Kyiv", place="Bucha, school yard"))
    record(hague, physical, lead, EventInput("sealed", t0 + timedelta(hours=1), seal_numbers=("S-0001",)))
    record(hague, physical, lead, EventInput("transferred", t0 + timedelta(hours=2), receiver="cus", reason="store"))
    record(hague, physical, cus, EventInput("received", t0 + timedelta(hours=5), seal_numbers=("S-0001",)))
    testimony, pseudonym, transcript = add_testimony(hague, case)
    with hague.unit() as unit:
        share(unit, case, "PGO", get_user(unit.session, "lead"))
    return Sender(case, digital, physical, testimony, pseudonym, transcript)


def add_testimony(hague: Hague, case: str, *, redacted: bool = True) -> tuple[str, str, str]:
    """A witness (identity in the vault), an interview, a transcript naming them, and its approved -Red version."""
    if hague.settings.master_key is None:
        hague.settings.master_key = MasterKey.generate().encode()
    vault = Vault(MasterKey.decode(hague.settings.master_key))
    person = cast(dict[str, Any], PEOPLE[0])
    with hague.unit() as unit:
        lead = get_user(unit.session, "lead")
        pseudonym = add_protected_witness(unit, vault, case, parse_identity(person), lead).witness.pseudonym
    with hague.unit() as unit:
        ern = add_interview(unit, pseudonym, parse_interview(interview_data()), get_user(unit.session, "lead")).item.ern
    secrets = [person["family_name"], person["given_name"], person["patronymic"], person["date_of_birth"]]
    secrets += person["phones"]
    text = (
        f"Statement of {person['family_name']} {person['given_name']} {person['patronymic']}, born "
        f"{person['date_of_birth']}, phone {person['phones'][0]}.\nI saw the strike on the school at 06:10.\n"
    )
    path = hague.settings.data_dir / "transcript.txt"
    path.write_text(text, encoding="utf-8")
    with hague.unit() as unit:
        lead = get_user(unit.session, "lead")
        file = add_interview_file(unit, hague.store, ern, path, "transcript", lead)
        specs = [RedactionSpec("A.1", "identifying information of the witness", text=s) for s in secrets]
        if redacted:
            redact(unit, hague.store, ern, file.sha256, specs, "ICC-01/22-45-Red decision", lead)
    path.unlink()
    return ern, pseudonym, file.sha256


def second_instance(request: pytest.FixtureRequest, tmp_path: Path, database_url: str) -> Iterator[Hague]:
    """Another instance on the same backend as `hague`: its own data folder, database and origin."""
    folder = tmp_path / "receiver"
    folder.mkdir()
    if database_url.startswith("sqlite"):
        url = request.getfixturevalue("sqlite_factory").new(folder)
        factory = None
    else:
        factory = request.getfixturevalue("postgres_factory")
        url = factory.new()
    instance = Hague(Settings(data_dir=folder / "data", database_url=url, log_origin=RECEIVER_ORIGIN))
    instance.settings.data_dir.mkdir(parents=True, exist_ok=True)
    yield instance
    instance.close()
    if factory is not None:
        factory.drop(url)


@pytest.fixture
def receiver(request: pytest.FixtureRequest, tmp_path: Path, database_url: str) -> Iterator[Hague]:
    """The receiving instance (PGO)."""
    yield from second_instance(request, tmp_path, database_url)


@dataclass
class World:
    """Sender, receiver and the witness cosigning both logs."""

    sender: Hague
    receiver: Hague
    data: Sender
    witness: Signer
    receiver_case: str

    def trust_lines(self, *who: Hague) -> list[str]:
        """Log keys of the named instances, plus the witness key."""
        return [k for h in who for k in vkeys(h)] + [self.witness.verifier.to_text()]


def prepare_receiver(receiver: Hague) -> str:
    """PGO's own case and its custodian `rec`."""
    with receiver.unit() as unit:
        register.create_organisation(unit, "PGO", "Prosecutor General's Office")
        case = register.create_case(unit, "PGO", "UKR", "Received from the ICC").code
        create_user(unit, "rec", "Receiving Custodian", "PGO", clearance="strictly_confidential")
        grant_role(unit, case, "rec", "custodian")
    return case


@pytest.fixture
def world(hague: Hague, receiver: Hague, tmp_path: Path) -> Iterator[World]:
    """Both instances populated, keyed and registered with one witness (quorum 1 on both)."""
    hague.settings.log_origin = SENDER_ORIGIN
    data = populate_sender(hague)
    receiver_case = prepare_receiver(receiver)
    generate_key(hague)
    generate_key(receiver)
    logs = {
        SENDER_ORIGIN: [parse_verifier_key(k) for k in vkeys(hague)],
        RECEIVER_ORIGIN: [parse_verifier_key(k) for k in vkeys(receiver)],
    }
    with witness_server(tmp_path / "witness.sqlite3", "witness.example/w", logs) as (url, signer):
        for instance in (hague, receiver):
            add_witness(instance, signer.name, signer.verifier.to_text(), url)
            instance.settings.witness_quorum = 1
        yield World(hague, receiver, data, signer, receiver_case)


def rebag(root: Path) -> None:
    """Recompute the bag's manifests after a change (an attacker who knows BagIt), so deeper checks must catch it."""
    payload = []
    octets = 0
    for path in sorted((root / "data").rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            octets += len(data)
            payload.append(f"{hashlib.sha256(data).hexdigest()}  {path.relative_to(root).as_posix()}\n")
    (root / "manifest-sha256.txt").write_text("".join(payload))
    info = [ln for ln in (root / "bag-info.txt").read_text().splitlines() if not ln.startswith("Payload-Oxum")]
    (root / "bag-info.txt").write_text("\n".join([*info, f"Payload-Oxum: {octets}.{len(payload)}"]) + "\n")
    tags = sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith("tagmanifest"))
    lines = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in tags)
    (root / "tagmanifest-sha256.txt").write_text(lines)


def copy_bag(source: Path, target: Path) -> Path:
    """A fresh copy of a bag to tamper with."""
    shutil.copytree(source, target)
    return target
