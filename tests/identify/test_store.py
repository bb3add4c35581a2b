"""DNA data kept in the case: stored, attested, and loaded back exactly as the search needs it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hague.core import Hague
from hague.errors import Conflict, ValidationError
from hague.identify.checks import _profile
from hague.identify.models import Sample, StrProfile
from hague.identify.profiles import Profile
from hague.identify.screening import screen
from hague.identify.store import load_case_dna, load_table, store_profiles
from hague.ledger.attest import CHECKS
from hague.ledger.models import LogEntry
from tests.identify.conftest import Team, load_disaster
from tests.identify.disaster import Disaster, mutation_models


def _entries(hague: Hague, kind: str) -> list[dict]:
    import json

    with hague.reader() as session:
        return [json.loads(e.body) for e in session.scalars(select(LogEntry).where(LogEntry.kind == kind))]


def test_screening_from_the_case_equals_screening_in_memory(hague: Hague, team: Team, small_disaster: Disaster) -> None:
    load_disaster(hague, team, small_disaster)
    with hague.reader() as session:
        table, mutation = load_table(session, team.case)
        dna = load_case_dna(session, team.case)
    assert mutation == mutation_models()
    stored = screen(dna.remains, dna.families, table, mutation=mutation, sexes=dna.sexes, threshold=1.0)
    direct = screen(small_disaster.remains, small_disaster.families, small_disaster.table,
                    mutation=mutation_models(), sexes=small_disaster.sexes, threshold=1.0)  # fmt: skip
    assert [(c.remains, c.family, c.missing_person) for c in stored.candidates] == [
        (c.remains, c.family, c.missing_person) for c in direct.candidates
    ]
    for a, b in zip(stored.candidates, direct.candidates, strict=True):
        assert a.log10_lr == pytest.approx(b.log10_lr, rel=1e-12)


def test_every_stored_record_is_attested_and_rechecks(hague: Hague, team: Team, small_disaster: Disaster) -> None:
    load_disaster(hague, team, small_disaster)
    kinds = ("identify.profile_imported", "identify.pedigree_imported", "identify.frequencies_imported",
             "identify.sample_registered")  # fmt: skip
    entries = {kind: _entries(hague, kind) for kind in kinds}
    with hague.reader() as session:
        for kind in kinds:
            assert entries[kind]
            for fields in entries[kind]:
                assert CHECKS[kind](session, fields) == fields["record"]


def test_a_changed_profile_row_no_longer_matches_its_log_entry(
    hague: Hague, team: Team, small_disaster: Disaster
) -> None:
    load_disaster(hague, team, small_disaster)
    fields = _entries(hague, "identify.profile_imported")[0]
    with hague.unit() as unit:
        row = unit.session.scalar(select(StrProfile).where(StrProfile.barcode == fields["barcode"]))
        assert row is not None
        marker = next(iter(row.genotypes))
        row.genotypes = {**row.genotypes, marker: ["99", "99"]}
    with hague.reader() as session:
        assert _profile(session, fields) != fields["record"]


def test_profile_of_an_unregistered_sample_is_refused_and_nothing_is_written(hague: Hague, team: Team) -> None:
    good = Profile("REF-1", {"TH01": ("6", "9.3")})
    with pytest.raises(ValidationError, match="unknown sample"), hague.unit() as unit:
        store_profiles(unit, team.case, {"X": good}, team.investigator)
    with hague.reader() as session:
        assert session.scalars(select(StrProfile)).first() is None


def test_a_sample_gets_one_profile(hague: Hague, team: Team, small_disaster: Disaster) -> None:
    load_disaster(hague, team, small_disaster)
    first = small_disaster.remains[0]
    with pytest.raises(Conflict), hague.unit() as unit:
        store_profiles(unit, team.case, {first.sample_id: first}, team.investigator)


def test_stored_samples_carry_barcodes_not_names(hague: Hague, team: Team, small_disaster: Disaster) -> None:
    load_disaster(hague, team, small_disaster)
    columns = {c.name for c in Sample.__table__.columns}
    assert not {"name", "given_name", "family_name"} & columns


def test_several_frequency_databases_must_be_named(hague: Hague, team: Team, small_disaster: Disaster) -> None:
    from hague.identify.frequencies import FrequencyTable
    from hague.identify.store import store_frequencies

    load_disaster(hague, team, small_disaster)
    other = FrequencyTable("roma", dict(small_disaster.table.markers))
    with hague.unit() as unit:
        store_frequencies(unit, team.case, other, team.investigator)
    with hague.reader() as session:
        with pytest.raises(ValidationError, match="name one"):
            load_table(session, team.case)
        assert load_table(session, team.case, "roma")[0].name == "roma"
        assert load_table(session, team.case, "simulated")[1] == mutation_models()


def test_missing_person_typed_by_a_personal_effect_is_an_effect_sample(hague: Hague, team: Team) -> None:
    from hague.identify.pedigree import Pedigree, Person
    from hague.identify.store import store_pedigrees

    ped = Pedigree("FAM9", [Person("MP", sex="male", sample="EFF-9", missing=True)])
    with hague.unit() as unit:
        store_pedigrees(unit, team.case, {"FAM9": ped}, team.investigator)
    with hague.reader() as session:
        sample = session.scalars(select(Sample).where(Sample.barcode == "EFF-9")).one()
    assert sample.kind == "effect"
