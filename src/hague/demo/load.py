"""Loads the demo case: organisations, the UKR situation, incidents with coordinates, items of each kind."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hague.core import Hague
from hague.demo import files
from hague.evidence import register
from hague.evidence.ingest import ingest
from hague.evidence.models import Case, Item, Organisation
from hague.evidence.register import ItemInput

DEMO_TITLE = "Situation in Ukraine: attacks on civilians (demo)"

INCIDENTS: list[dict[str, Any]] = [
    {
        "title": "Shelling of residential block, Saltivka",
        "place_name": "Kharkiv, Saltivka",
        "lat": 50.0303,
        "lon": 36.3470,
        "date_from": date(2022, 3, 7),
        "alleged_crimes": ["8(2)(b)(i)", "8(2)(b)(iv)"],
        "act_types": ["shelling"],
        "description": "Multiple impacts on apartment blocks; cluster munition remnants.",
    },
    {
        "title": "Strike on railway station",
        "place_name": "Kramatorsk railway station",
        "lat": 48.7237,
        "lon": 37.5386,
        "date_from": date(2022, 4, 8),
        "alleged_crimes": ["8(2)(b)(i)", "8(2)(b)(xx)"],
        "act_types": ["missile strike"],
        "description": "Missile with cluster warhead struck civilians awaiting evacuation.",
    },
    {
        "title": "Killings of civilians, Yablunska street",
        "place_name": "Bucha, Yablunska street",
        "lat": 50.5437,
        "lon": 30.2190,
        "date_from": date(2022, 3, 4),
        "date_to": date(2022, 3, 30),
        "alleged_crimes": ["8(2)(a)(i)", "7(1)(a)"],
        "act_types": ["killing", "detention"],
        "description": "Bodies found along the street after withdrawal of forces.",
    },
    {
        "title": "Airstrike on drama theatre",
        "place_name": "Mariupol, Drama Theatre",
        "lat": 47.0958,
        "lon": 37.5494,
        "date_from": date(2022, 3, 16),
        "alleged_crimes": ["8(2)(b)(ii)", "8(2)(b)(ix)"],
        "act_types": ["airstrike"],
        "description": "Theatre sheltering civilians, 'children' marked on the ground.",
    },
    {
        "title": "Mass burial site, Pishchanska",
        "place_name": "Izium, Pishchanska cemetery forest",
        "lat": 49.1806,
        "lon": 37.2478,
        "date_from": date(2022, 9, 15),
        "alleged_crimes": ["8(2)(a)(i)"],
        "act_types": ["burial", "exhumation"],
        "description": "Site with several hundred graves; exhumations by national police.",
    },
    {
        "title": "Shelling of shopping centre",
        "place_name": "Kremenchuk, Amstor",
        "lat": 49.0735,
        "lon": 33.4244,
        "date_from": date(2022, 6, 27),
        "alleged_crimes": ["8(2)(b)(i)"],
        "act_types": ["missile strike"],
        "description": "Missile strike on a crowded shopping centre.",
    },
]

PHYSICAL = [
    ("Cartridge case 7.62x39, headstamp '539 20'", "Kharkiv"),
    ("Fragment of 9M55K cargo section", "Kharkiv"),
    ("Submunition 9N235 remnant", "Kramatorsk"),
    ("Tail section with markings 'За наших детей'", "Kramatorsk"),
    ("Projectile jacket, 5.45 mm", "Bucha"),
    ("Cartridge case 5.45x39, headstamp '270 19'", "Bucha"),
    ("Blindfold (white cloth)", "Bucha"),
    ("Bomb fragment with lot marks", "Mariupol"),
    ("Soil sample from crater", "Mariupol"),
    ("Clothing from body 112", "Izium"),
    ("Bone sample from body 204", "Izium"),
    ("Missile fragment Kh-22", "Kremenchuk"),
]


def _collected(base: date, hours: int) -> datetime:
    return datetime(base.year, base.month, base.day, 9, 0, tzinfo=UTC) + timedelta(days=20, hours=hours)


def _incident_for(place: str, incidents: list[Any]) -> Any:
    return next(i for i in incidents if place in i.place_name)


def load_demo(hague: Hague) -> dict[str, Any]:
    """Create the demo case once; on later calls report the existing one."""
    with hague.reader() as session:
        existing = session.scalar(select(Case).where(Case.title == DEMO_TITLE))
        if existing is not None:
            count = len(list(session.scalars(select(Item.id).where(Item.case_id == existing.id))))
            return {
                "case": existing.code,
                "incidents": len(register.list_incidents(session, existing.code)),
                "items": count,
                "created": False,
            }
    with hague.unit() as unit:
        for code, name in (
            ("OTP", "Office of the Prosecutor (demo)"),
            ("PGO", "Prosecutor General's Office of Ukraine (demo)"),
            ("NFI", "Netherlands Forensic Institute (demo)"),
        ):
            if unit.session.scalar(select(Organisation).where(Organisation.code == code)) is None:
                register.create_organisation(unit, code, name)
        case = register.create_case(unit, "OTP", "UKR", DEMO_TITLE)
        case_code = case.code
        incidents = [register.add_incident(unit, case_code, **spec) for spec in INCIDENTS]
        for n, (title, place) in enumerate(PHYSICAL):
            inc = _incident_for(place, incidents)
            register.add_item(
                unit,
                case_code,
                ItemInput(
                    kind="physical",
                    title=title,
                    collected_at=_collected(inc.date_from or date(2022, 3, 1), n),
                    collected_tz="Europe/Kyiv",
                    collected_by="Crime-scene team 2 (demo)",
                    place_name=inc.place_name,
                    lat=inc.lat,
                    lon=inc.lon,
                    accuracy_m=15.0,
                    method="hand collection, sealed bag",
                    source="scene search",
                    classification="restricted",
                    incident_ids=(inc.id,),
                ),
            )
        for n in range(12):
            inc = incidents[n % len(incidents)]
            register.add_item(
                unit,
                case_code,
                ItemInput(
                    kind="testimony",
                    title=f"Witness account {n + 1} ({inc.place_name})",
                    description="Interview summary; identity held in the witness vault.",
                    collected_at=_collected(inc.date_from or date(2022, 3, 1), 30 + n),
                    collected_tz="Europe/Kyiv",
                    collected_by="Investigator team A (demo)",
                    place_name=inc.place_name,
                    language="uk",
                    method="in-person interview",
                    classification="confidential",
                    incident_ids=(inc.id,),
                ),
            )
        inc_ids = [
            (i.id, i.place_name, float(i.lat or 0), float(i.lon or 0), i.date_from or date(2022, 3, 1))
            for i in incidents
        ]
    with tempfile.TemporaryDirectory(prefix="hague-demo-") as tmp:
        folder = Path(tmp) / "field-upload"
        folder.mkdir()
        for n in range(12):
            _, place, lat, lon, day = inc_ids[n % len(inc_ids)]
            files.photo(
                folder / f"IMG_{2022_0000 + n}.jpg",
                n,
                datetime(day.year, day.month, day.day, 11, n),
                lat,
                lon,
                f"{place} - scene photo {n + 1}",
            )
        docs = Path(tmp) / "documents"
        docs.mkdir()
        for n in range(12):
            _, place, *_ = inc_ids[n % len(inc_ids)]
            files.document_pdf(
                docs / f"report-{n + 1:02d}.pdf",
                f"Inspection report {n + 1}: {place}",
                [
                    f"Place: {place}",
                    "Prepared by: regional police investigator (demo)",
                    "Findings: impact sites photographed and measured.",
                    f"Sheet {n + 1} of 12",
                ],
            )
        ingest(hague, case_code, [folder], collected_by="Investigator team A (demo)")
        ingest(
            hague,
            case_code,
            [docs],
            collected_by="Document unit (demo)",
            kind="document",
            method="scanned document intake",
        )
    with hague.reader() as session:
        count = register.count_items(session, case_code)
    return {"case": case_code, "incidents": len(INCIDENTS), "items": count, "created": True}
