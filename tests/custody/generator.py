"""A generated custody case (reused by the bench): N items, ten events each, a share of them deviant on purpose.

It uses the real import path (`hague.custody.imports.import_events`, events from another system's
records, attested but not refused), so planted deviations reach the database as they would from a
national custody log. Conforming trails follow `SOP` exactly; each deviant trail carries exactly one of
`KINDS`, and `Planted` says where.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite

from hague.access import create_user, grant_role, share
from hague.core import Hague, Unit
from hague.custody.imports import ImportedEvent, import_events
from hague.evidence import register
from hague.evidence.models import Counter, Item
from hague.evidence.records import item_entry
from hague.evidence.register import get_case
from hague.ledger.log import append_many
from hague.workflow.sop import register_sop

SOP = """\
name: OTP custody SOP for physical evidence
start: [collected]
end: [received, stored, released, disposed]
steps:
  collected: {next: [sealed], required: [place], max_duration: 6h}
  sealed: {next: [transferred, stored], required: [seal_numbers], max_duration: 24h}
  transferred: {next: [received, lost], required: [counterpart, reason], max_duration: 72h}
  received: {next: [stored, transferred], required: [seal_numbers], max_duration: 48h}
  stored: {next: [checked_out, transferred, released, disposed], required: [facility]}
  checked_out: {next: [examined, sampled, checked_in], required: [reason], max_duration: 14d}
  examined: {next: [examined, sampled, checked_in], required: [method, lab], max_duration: 7d}
  sampled: {next: [examined, sampled, checked_in]}
  checked_in: {next: [stored, transferred], max_duration: 7d}
  released: {}
  disposed: {required: [decision]}
  lost: {}
"""

KINDS = ("skipped_step", "seal_broken", "overdue", "wrong_receiver")
START = datetime(2025, 1, 6, 7, 0, tzinfo=UTC)
INVESTIGATORS = [f"inv{n}" for n in range(5)]
CUSTODIANS = [f"cus{n}" for n in range(5)]
ANALYSTS = [f"lab{n}" for n in range(3)]
POLICE = [f"unp{n}" for n in range(3)]


@dataclass
class Planted:
    """What was generated: ERNs, events, and for each deviant ERN its deviation kind and event number."""

    case: str
    erns: list[str] = field(default_factory=list)
    events: int = 0
    deviations: dict[str, tuple[str, int]] = field(default_factory=dict)


def setup_people(hague: Hague, case: str) -> None:
    """Staff of OTP and of the national police (UNP, shared case-wide), each with a role, and OTP's SOP."""
    with hague.unit() as unit:
        register.create_organisation(unit, "UNP", "National Police of Ukraine")
        for group, org, role in (
            (INVESTIGATORS, "OTP", "investigator"),
            (CUSTODIANS, "OTP", "custodian"),
            (ANALYSTS, "OTP", "analyst"),
            (POLICE, "UNP", "investigator"),
        ):
            for username in group:
                create_user(unit, username, f"{username.upper()} Person", org)
                grant_role(unit, case, username, role)
        owner = create_user(unit, "owner", "Case Owner", "OTP")
        share(unit, case, "UNP", owner)
        register_sop(unit, "OTP", SOP, owner)


def _trail(rng: random.Random, ern: str, n: int, deviation: str | None) -> tuple[list[ImportedEvent], int]:
    """Ten events of one item; returns them and the index of the planted deviation (or -1)."""
    inv, cus, lab, unp = rng.choice(INVESTIGATORS), rng.choice(CUSTODIANS), rng.choice(ANALYSTS), rng.choice(POLICE)
    seal = (f"S-{n:06d}",)
    t = START + timedelta(minutes=7 * n)

    def at(hours: float) -> datetime:
        nonlocal t
        t = t + timedelta(hours=hours)
        return t

    def ev(kind: str, hours: float, actor: str, **kw: object) -> ImportedEvent:
        return ImportedEvent(ern=ern, event_type=kind, occurred_at=at(hours), actor=actor, tz="Europe/Kyiv", **kw)  # type: ignore[arg-type]

    receiver = cus
    if deviation == "wrong_receiver":
        receiver = rng.choice([c for c in CUSTODIANS if c != cus])
    events = [
        ev("collected", 0, inv, place="Bucha", reason="scene examination"),
        ev("sealed", 0.5 + rng.random(), inv, seal_numbers=seal),
        ev("transferred", 0.5 + rng.random() * 3, inv, counterpart=cus, reason="to evidence store", seal_numbers=seal),
        ev(
            "received",
            240 if deviation == "overdue" else 1 + rng.random() * 40,
            receiver,
            seal_numbers=seal,
            seal_state="broken" if deviation == "seal_broken" else "intact",
        ),
        ev("stored", 1, receiver, facility="OTP Kyiv evidence room", room="B", shelf=f"{n % 40}"),
        ev("checked_out", 24 + rng.random() * 200, receiver, counterpart=lab, reason="ballistic examination"),
        ev(
            "examined",
            2 + rng.random() * 100,
            lab,
            details={"method": "microscopy", "lab": "OTP FSL", "result": "match"},
        ),
        ev("checked_in", 1 + rng.random() * 100, lab),
        ev(
            "transferred", 24 + rng.random() * 48, receiver, counterpart=unp, reason="national trial", seal_numbers=seal
        ),
        ev("received", 1 + rng.random() * 40, unp, seal_numbers=seal, seal_state="intact"),
    ]
    where = {"seal_broken": 3, "overdue": 3, "wrong_receiver": 3}.get(deviation or "", -1)
    if deviation == "skipped_step":
        del events[1]
        events.insert(6, ev("examined", 0, lab, details={"method": "chemistry", "lab": "OTP FSL"}))
        events[6].occurred_at = events[5].occurred_at + timedelta(minutes=30)
        events.sort(key=lambda e: e.occurred_at)
        where = 1
    return events, where


def register_items(unit: Unit, case_code: str, first: int, stop: int) -> list[str]:
    """Register items `first`..`stop` in bulk: one ERN block and one log append, the same rows and
    `item.registered` entries `register.add_item` writes one by one (which takes ~10 ms an item)."""
    session = unit.session
    case = get_case(session, case_code)
    count = stop - first
    dialect = session.get_bind().dialect.name
    ins = postgresql.insert(Counter) if dialect == "postgresql" else sqlite.insert(Counter)
    last = session.execute(
        ins.values(scope=f"ern:{case.code}", value=count)
        .on_conflict_do_update(index_elements=[Counter.scope], set_={"value": Counter.value + count})
        .returning(Counter.value)
    ).scalar_one()
    items = [
        Item(
            case_id=case.id,
            ern=f"{case.code}-{last - count + 1 + k:04d}",
            kind="physical",
            title=f"Cartridge case {n}",
            description="",
            collected_at=START + timedelta(minutes=7 * n),
            collected_tz="Europe/Kyiv",
            collected_by="",
            place_name="",
            method="",
            tool="",
            tool_version="",
            source="",
            language="",
            classification="restricted",
            organisation_id=case.organisation_id,
            parent_item_id=None,
            extra={},
        )
        for k, n in enumerate(range(first, stop))
    ]
    session.add_all(items)
    session.flush()
    unit.appended.extend(append_many(session, [("item.registered", item_entry(item, case)) for item in items]))
    return [item.ern for item in items]


def generate(hague: Hague, case: str, items: int, deviant_share: float = 0.02, seed: int = 4) -> Planted:
    """Register `items` physical items with ten custody events each; `deviant_share` of them deviate once."""
    rng = random.Random(seed)
    setup_people(hague, case)
    planted = Planted(case)
    chosen = sorted(rng.sample(range(items), round(items * deviant_share)))
    deviant = {n: KINDS[rank % len(KINDS)] for rank, n in enumerate(chosen)}
    for start in range(0, items, 1000):
        with hague.unit() as unit:
            planted.erns.extend(register_items(unit, case, start, min(items, start + 1000)))
        batch: list[ImportedEvent] = []
        for n in range(start, min(items, start + 1000)):
            kind = deviant.get(n)
            events, where = _trail(rng, planted.erns[n], n, kind)
            if kind is not None:
                planted.deviations[planted.erns[n]] = (kind, where + 1)
            batch.extend(events)
        with hague.unit() as unit:
            planted.events += import_events(unit, case, batch)
    return planted
