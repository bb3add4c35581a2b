"""Keeping DNA data in the case: STR profiles, frequency databases and reference pedigrees, and loading
them back as the inputs of screening and joint searches. Every stored record is attested.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.core import Unit
from hague.errors import Conflict, NotFound, ValidationError
from hague.evidence.models import Case
from hague.evidence.register import get_case
from hague.identify.frequencies import FrequencyTable
from hague.identify.models import FrequencyDatabase, ReferencePedigree, Sample, StrProfile
from hague.identify.mutation import MutationModel
from hague.identify.pedigree import Pedigree, Person
from hague.identify.profiles import Profile, RemainsInfo
from hague.identify.records import add_sample, authorise
from hague.identify.screening import Family
from hague.ledger.canonical import record_hash


def profile_record(row: StrProfile, case_code: str) -> dict[str, Any]:
    """The attested form of a stored profile."""
    return {"case": case_code, "barcode": row.barcode, "genotypes": dict(row.genotypes), "source": row.source}


def frequency_record(row: FrequencyDatabase, case_code: str) -> dict[str, Any]:
    """The attested form of a frequency database (frequencies as the exact strings stored)."""
    return {
        "case": case_code,
        "name": row.name,
        "min_frequency": row.min_frequency,
        "markers": dict(row.markers),
        "mutation": dict(row.mutation or {}),
    }


def pedigree_record(row: ReferencePedigree, case_code: str) -> dict[str, Any]:
    """The attested form of a reference pedigree."""
    return {"case": case_code, "family_id": row.family_id, "persons": list(row.persons)}


def _sample(session: Session, case: Case, barcode: str) -> Sample | None:
    return session.scalar(select(Sample).where(Sample.case_id == case.id, Sample.barcode == barcode))


def store_remains(unit: Unit, case_code: str, remains: Mapping[str, RemainsInfo], by: str) -> int:
    """Register remains samples from the lab's remains list (existing ones must agree on sex and age)."""
    case = get_case(unit.session, case_code)
    added = 0
    for info in remains.values():
        existing = _sample(unit.session, case, info.sample_id)
        if existing is not None:
            if existing.kind != "remains" or (existing.sex, existing.age_min, existing.age_max) != (
                info.sex,
                info.age_min,
                info.age_max,
            ):
                raise Conflict(f"sample {info.sample_id} is already registered with other details")
            continue
        add_sample(
            unit, case.code, info.sample_id, "remains", by, sex=info.sex, age_min=info.age_min, age_max=info.age_max
        )
        added += 1
    return added


def store_pedigrees(unit: Unit, case_code: str, pedigrees: Mapping[str, Pedigree], by: str) -> int:
    """Store reference pedigrees; typed members' barcodes become reference samples if new."""
    case = get_case(unit.session, case_code)
    authorise(unit.session, by, case)
    for ped in pedigrees.values():
        if not ped.missing:
            raise ValidationError(f"family {ped.family_id} has no missing person", field="missing")
        existing = unit.session.scalar(
            select(ReferencePedigree).where(
                ReferencePedigree.case_id == case.id, ReferencePedigree.family_id == ped.family_id
            )
        )
        if existing is not None:
            raise Conflict(f"family {ped.family_id} already has a pedigree in {case.code}")
        for person in ped.typed:
            assert person.sample is not None
            sample = _sample(unit.session, case, person.sample)
            if sample is None:
                kind = "effect" if person.missing else "reference"
                add_sample(unit, case.code, person.sample, kind, by, sex=person.sex)
            elif sample.kind == "remains":
                raise ValidationError(f"family {ped.family_id}: {person.sample} is a remains sample, not a reference")
        row = ReferencePedigree(case_id=case.id, family_id=ped.family_id, persons=ped.to_rows())
        unit.session.add(row)
        unit.session.flush()
        unit.attest(
            "identify.pedigree_imported",
            {"case": case.code, "family": ped.family_id, "record": record_hash(pedigree_record(row, case.code))},
        )
    return len(pedigrees)


def store_profiles(unit: Unit, case_code: str, profiles: Mapping[str, Profile], by: str, source: str = "csv") -> int:
    """Store STR profiles of registered samples (a profile is written once; re-typing is a new sample)."""
    case = get_case(unit.session, case_code)
    authorise(unit.session, by, case)
    for profile in profiles.values():
        if _sample(unit.session, case, profile.sample_id) is None:
            raise ValidationError(f"profile of unknown sample {profile.sample_id}: register it first", field="sample")
        if unit.session.scalar(
            select(StrProfile).where(StrProfile.case_id == case.id, StrProfile.barcode == profile.sample_id)
        ):
            raise Conflict(f"sample {profile.sample_id} already has a profile")
        row = StrProfile(
            case_id=case.id,
            barcode=profile.sample_id,
            genotypes={m: [a, b] for m, (a, b) in profile.genotypes.items()},
            source=source,
        )
        unit.session.add(row)
        unit.session.flush()
        unit.attest(
            "identify.profile_imported",
            {"case": case.code, "barcode": row.barcode, "record": record_hash(profile_record(row, case.code))},
        )
    return len(profiles)


def mutation_text(model: MutationModel) -> dict[str, str]:
    """A mutation model as exact strings."""
    return {"kind": model.kind, "rate": repr(model.rate), "range": repr(model.range), "rate2": repr(model.rate2)}


def store_frequencies(
    unit: Unit, case_code: str, table: FrequencyTable, by: str, mutation: Mapping[str, MutationModel] | None = None
) -> FrequencyDatabase:
    """Store a frequency database under its name (several per case, e.g. one per population)."""
    case = get_case(unit.session, case_code)
    authorise(unit.session, by, case)
    if unit.session.scalar(
        select(FrequencyDatabase).where(FrequencyDatabase.case_id == case.id, FrequencyDatabase.name == table.name)
    ):
        raise Conflict(f"frequency database {table.name!r} already exists in {case.code}")
    row = FrequencyDatabase(
        case_id=case.id,
        name=table.name,
        min_frequency=repr(table.min_frequency),
        markers={m: {a: repr(f) for a, f in freqs.items()} for m, freqs in table.markers.items()},
        mutation={m: mutation_text(model) for m, model in (mutation or {}).items()},
    )
    unit.session.add(row)
    unit.session.flush()
    unit.attest(
        "identify.frequencies_imported",
        {"case": case.code, "name": row.name, "record": record_hash(frequency_record(row, case.code))},
    )
    return row


def load_table(
    session: Session, case_code: str, name: str | None = None
) -> tuple[FrequencyTable, dict[str, MutationModel]]:
    """A stored frequency database (the only one if `name` is not given) and its mutation models."""
    case = get_case(session, case_code)
    rows = list(session.scalars(select(FrequencyDatabase).where(FrequencyDatabase.case_id == case.id)))
    if name is not None:
        rows = [r for r in rows if r.name == name]
    if not rows:
        raise NotFound(f"no frequency database {name or ''!r} in {case.code}".replace(" ''", ""))
    if len(rows) > 1:
        raise ValidationError(f"{case.code} has several frequency databases: name one", field="database")
    row = rows[0]
    table = FrequencyTable(
        row.name, {m: {a: float(f) for a, f in fr.items()} for m, fr in row.markers.items()}, float(row.min_frequency)
    )
    mutation = {
        m: MutationModel(d["kind"], float(d["rate"]), float(d["range"]), float(d["rate2"]))
        for m, d in (row.mutation or {}).items()
    }
    return table, mutation


@dataclass
class CaseDNA:
    """What a search needs: remains profiles with sexes, families with their references."""

    remains: list[Profile] = field(default_factory=list)
    sexes: dict[str, str] = field(default_factory=dict)
    families: list[Family] = field(default_factory=list)


def _profile(row: StrProfile) -> Profile:
    return Profile(row.barcode, {m: (g[0] or "", g[1]) for m, g in row.genotypes.items()})


def load_case_dna(session: Session, case_code: str) -> CaseDNA:
    """Every typed remains sample and every reference pedigree of the case."""
    case = get_case(session, case_code)
    profiles = {r.barcode: r for r in session.scalars(select(StrProfile).where(StrProfile.case_id == case.id))}
    out = CaseDNA()
    for sample in session.scalars(
        select(Sample).where(Sample.case_id == case.id, Sample.kind == "remains").order_by(Sample.barcode)
    ):
        if sample.barcode in profiles:
            out.remains.append(_profile(profiles[sample.barcode]))
            out.sexes[sample.barcode] = sample.sex
    for row in session.scalars(
        select(ReferencePedigree).where(ReferencePedigree.case_id == case.id).order_by(ReferencePedigree.family_id)
    ):
        ped = pedigree_from_rows(row.family_id, row.persons, typed=set(profiles))
        refs = {p.sample: _profile(profiles[p.sample]) for p in ped.typed if p.sample in profiles}
        out.families.append(Family(ped, refs))
    return out


def pedigree_from_rows(family_id: str, rows: list[dict[str, Any]], typed: set[str] | None = None) -> Pedigree:
    """Rebuild a pedigree from its stored rows; with `typed`, members whose sample has no profile count as untyped."""
    persons = [
        Person(
            r["person_id"],
            r["father"] or None,
            r["mother"] or None,
            r["sex"],
            r["typed_sample_id"] if r["typed_sample_id"] and (typed is None or r["typed_sample_id"] in typed) else None,
            r["missing"] == "1",
        )
        for r in rows
    ]
    return Pedigree(family_id, persons)
