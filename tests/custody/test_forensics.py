"""Forensic forms: validated fields, attested records, and incidents linked by shared munitions."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hague.errors import Conflict, ValidationError
from hague.evidence import register
from hague.evidence.register import ItemInput
from hague.forensics.forms import FORMS
from hague.forensics.register import get_form, link_key, linked_incidents, record_form
from hague.ledger.attest import CHECKS
from hague.ledger.models import LogEntry
from tests.custody.conftest import Scene, counts


@pytest.fixture
def photo(scene: Scene, tmp_path: Path) -> str:
    path = tmp_path / "photo-with-scale.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 photo of a remnant with a scale bar")
    return scene.hague.store.put_path(path).sha256


def remnant(photo: str, **extra: Any) -> dict[str, Any]:
    return {
        "photo_sha256": photo,
        "recovery_context": "embedded in asphalt, 3 m from impact crater",
        "munition_type": "9M55K",
        "weapon_system": "BM-30 Smerch",
        "fuze": "9E249",
        "lot_marks": "9М55К 1-88-ЛЗ",
        "attribution": "probable",
        **extra,
    }


def test_a_munition_remnant_form_is_stored_and_attested(scene: Scene, photo: str) -> None:
    with scene.hague.unit() as unit:
        record_form(unit, scene.hague.store, scene.physical, "munition_remnant", remnant(photo), scene.user("alice"))
    with scene.hague.reader() as session:
        row = get_form(session, scene.physical)
        assert (row.munition_type, row.weapon_system, row.data["lot_marks"]) == ("9M55K", "BM30SMERCH", "9М55К 1-88-ЛЗ")
        entry = session.scalars(select(LogEntry).where(LogEntry.kind == "forensic.recorded")).one()
        fields = json.loads(entry.body)
        assert CHECKS["forensic.recorded"](session, fields) == fields["record"]


@pytest.mark.parametrize(
    ("form", "data", "message"),
    [
        ("cartridge_case", {"calibre": "5.45x39"}, "headstamp"),
        ("projectile", {"calibre": "7.62", "weight_g": "-3"}, "weight_g"),
        ("projectile", {"calibre": "7.62", "base": "pointy"}, "base"),
        ("weapon", {"weapon_type": "rifle", "year": 1492}, "year"),
        ("human_remains", {"site": "Izium", "recovery_context": "grave 3"}, "body_number"),
        ("biological_sample", {"sample_type": "saliva", "collected_from": "x"}, "sample_type"),
        ("device", {"device_type": "phone", "imei": ["12"]}, "imei"),
        ("munition_remnant", {"munition_type": "9M55K", "recovery_context": "x"}, "photo_sha256"),
        ("munition_remnant", {"munition_type": "9M55K", "calibr": "300"}, "calibr"),
        ("rumour", {}, "form must be one of"),
    ],
)
def test_invalid_forms_are_refused_and_nothing_written(
    scene: Scene, photo: str, form: str, data: dict[str, Any], message: str
) -> None:
    if form in ("cartridge_case", "projectile", "weapon") or "calibr" in data:
        data = {"photo_sha256": photo, "recovery_context": "scene", **data}
    before = counts(scene.hague)
    with pytest.raises(ValidationError, match=message), scene.hague.unit() as unit:
        record_form(unit, scene.hague.store, scene.physical, form, data, scene.user("alice"))
    assert counts(scene.hague) == before


def test_ballistic_photo_must_be_in_the_store(scene: Scene) -> None:
    with pytest.raises(ValidationError, match="photo"), scene.hague.unit() as unit:
        record_form(unit, scene.hague.store, scene.physical, "munition_remnant", remnant("b" * 64), scene.user("alice"))


def test_one_form_per_item(scene: Scene, photo: str) -> None:
    with scene.hague.unit() as unit:
        record_form(unit, scene.hague.store, scene.physical, "munition_remnant", remnant(photo), scene.user("alice"))
    with pytest.raises(Conflict, match="already has a forensic form"), scene.hague.unit() as unit:
        record_form(unit, scene.hague.store, scene.physical, "munition_remnant", remnant(photo), scene.user("alice"))


def test_measurements_are_kept_as_exact_decimals(scene: Scene, photo: str) -> None:
    data = {"photo_sha256": photo, "recovery_context": "street", "calibre": "5.45", "weight_g": "3.420"}
    with scene.hague.unit() as unit:
        row = record_form(unit, scene.hague.store, scene.physical, "projectile", data, scene.user("alice"))
    assert row.data["weight_g"] == "3.420" and row.data["diameter_mm"] is None


def test_every_form_type_is_available() -> None:
    assert set(FORMS) == {
        "biological_sample",
        "human_remains",
        "weapon",
        "cartridge_case",
        "projectile",
        "munition_remnant",
        "document",
        "device",
    }


def test_link_keys_ignore_case_spaces_and_dashes() -> None:
    assert link_key("bm 30 smerch") == link_key("BM-30 Smerch") == "BM30SMERCH"
    assert link_key(" 539  76 ", compact=False) == "539 76"


def test_incidents_are_linked_by_shared_munition_type_and_headstamp(scene: Scene, photo: str) -> None:
    alice = scene.user("alice")
    with scene.hague.unit() as unit:
        incidents = [
            register.add_incident(unit, scene.case, f"Strike {n}", date_from=date(2022, 3, n + 1)) for n in range(4)
        ]
        items = [
            register.add_item(
                unit, scene.case, ItemInput(kind="physical", title=f"R{n}", incident_ids=(incidents[n].id,))
            )
            for n in range(4)
        ]
    with scene.hague.unit() as unit:
        for n, munition in enumerate(["9M55K", "9m55k", "9M27K", "9M55K"]):
            record_form(
                unit, scene.hague.store, items[n].ern, "munition_remnant", remnant(photo, munition_type=munition), alice
            )
    with scene.hague.reader() as session:
        groups = linked_incidents(session, scene.case, by="munition_type")
        assert [(g.key, [i["title"] for i in g.incidents]) for g in groups] == [
            ("9M55K", ["Strike 0", "Strike 1", "Strike 3"])
        ]
        assert groups[0].values == ["9M55K", "9m55k"]
        assert [g.key for g in linked_incidents(session, scene.case, by="weapon_system")] == ["BM30SMERCH"]
        assert linked_incidents(session, scene.case, by="munition_type", value="9M27K") == []
        with pytest.raises(ValidationError):
            linked_incidents(session, scene.case, by="colour")
