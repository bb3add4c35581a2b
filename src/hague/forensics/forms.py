"""Structured forensic forms (Small Arms Survey tracing kit, CAR iTrace, INTERPOL DVI, Bournemouth Protocol).

Measurements are decimals (kept as strings in JSON: the log's canonical form refuses floats). Ballistic
forms carry the fields a reviewer checks: component, calibre, verbatim markings, a photo with scale,
the recovery context and the attribution with its verification state (DOMAIN §6, check 9).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Required = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Millimetres = Annotated[Decimal, Field(gt=0, lt=10000, max_digits=9, decimal_places=3)]
Grams = Annotated[Decimal, Field(gt=0, lt=1000000, max_digits=10, decimal_places=3)]
Latitude = Annotated[Decimal, Field(ge=-90, le=90, max_digits=10, decimal_places=7)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, max_digits=11, decimal_places=7)]
ATTRIBUTION = Literal["unattributed", "suspected", "probable", "confirmed"]


class Form(BaseModel):
    """Common base: unknown fields are refused, so a typo cannot silently drop data."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    notes: Text = ""


class Ballistic(Form):
    """What every ballistic or munition item records (check 9)."""

    photo_sha256: Sha256
    recovery_context: Required
    attribution: ATTRIBUTION = "unattributed"
    attribution_source: Text = ""
    verified_by: Text = ""


class BiologicalSample(Form):
    """A biological sample (blood, swab, tissue, bone, hair...)."""

    sample_type: Literal["blood", "swab", "tissue", "bone", "tooth", "hair", "other"]
    collected_from: Required
    preservation: Text = ""
    storage_temperature_c: Annotated[Decimal, Field(ge=-273, le=100, max_digits=6, decimal_places=2)] | None = None
    barcode: Text = ""


class HumanRemains(Form):
    """Human remains recovered from a site (Bournemouth Protocol: site, grave, body/bag numbers, position)."""

    site: Required
    grave: Text = ""
    body_number: Required
    bag_number: Text = ""
    completeness: Literal["complete", "partial", "commingled", "fragment"] = "complete"
    lat: Latitude | None = None
    lon: Longitude | None = None
    recovery_context: Required


class Weapon(Ballistic):
    """A firearm or light weapon (UN International Tracing Instrument marking fields)."""

    weapon_type: Required
    manufacturer: Text = ""
    model: Text = ""
    serial_number: Text = ""
    country: Text = ""
    year: Annotated[int, Field(ge=1800, le=date.today().year)] | None = None
    import_mark: Text = ""
    calibre: Text = ""
    weapon_system: Text = ""


class CartridgeCase(Ballistic):
    """A cartridge case: the headstamp verbatim, calibre, composition and measurements."""

    headstamp: Required
    calibre: Required
    headstamp_maker: Text = ""
    headstamp_year: Text = ""
    composition: Literal["brass", "steel", "lacquered steel", "copper-clad steel", "aluminium", "other"] = "brass"
    length_mm: Millimetres | None = None
    rim_diameter_mm: Millimetres | None = None
    primer: Text = ""


class Projectile(Ballistic):
    """A fired projectile: weight, diameter, base, cannelures, colour, shape."""

    calibre: Required
    weight_g: Grams | None = None
    diameter_mm: Millimetres | None = None
    base: Literal["flat", "boat-tail", "hollow", "rebated", "other"] = "flat"
    cannelures: Annotated[int, Field(ge=0, le=20)] = 0
    colour: Text = ""
    shape: Text = ""
    jacket: Text = ""


class MunitionRemnant(Ballistic):
    """A remnant of a munition (e.g. the tail of a 9M55K cluster rocket): type, system, fuze, lot marks, impact."""

    munition_type: Required
    weapon_system: Text = ""
    component: Text = ""
    fuze: Text = ""
    lot_marks: Text = ""
    impact_point: Text = ""
    lat: Latitude | None = None
    lon: Longitude | None = None
    crater_pattern: Text = ""
    calibre: Text = ""


class Document(Form):
    """A paper document as an exhibit."""

    document_type: Required
    document_date: date | None = None
    author: Text = ""
    language: Text = ""
    pages: Annotated[int, Field(ge=1, le=100000)] | None = None


class Device(Form):
    """An electronic device (phone, laptop, drone...) and how it was acquired."""

    device_type: Required
    make: Text = ""
    model: Text = ""
    serial_number: Text = ""
    imei: list[Annotated[str, StringConstraints(pattern=r"^\d{14,16}$")]] = Field(default_factory=list)
    acquisition_method: Text = ""


FORMS: dict[str, type[Form]] = {
    "biological_sample": BiologicalSample,
    "human_remains": HumanRemains,
    "weapon": Weapon,
    "cartridge_case": CartridgeCase,
    "projectile": Projectile,
    "munition_remnant": MunitionRemnant,
    "document": Document,
    "device": Device,
}
