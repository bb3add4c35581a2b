"""Joint identification of a family killed together: assignments, LRs against the null, posteriors, sex."""

from __future__ import annotations

import math

import pytest

from hague.errors import ValidationError
from hague.identify.joint import joint_search
from hague.identify.screening import Family
from hague.identify.statistics import pair_lr
from tests.identify.disaster import Disaster, disaster, mutation_models


@pytest.fixture(scope="module")
def scene() -> tuple[Disaster, Family, list]:
    d = disaster(families=30, remains=45, seed=5)
    fam = next(
        f for f in d.families
        if len(f.pedigree.missing) == 2 and sum(1 for t in d.truth.values() if t[0] == f.pedigree.family_id) == 2
    )  # fmt: skip
    fid = fam.pedigree.family_id
    mine = [p for p in d.remains if d.truth.get(p.sample_id, ("",))[0] == fid]
    others = [p for p in d.remains if p.sample_id not in d.truth][:3]
    return d, fam, [*mine, *others]


def test_true_assignment_ranks_first(scene: tuple) -> None:
    d, fam, remains = scene
    result = joint_search(fam, remains, d.table, sexes=d.sexes, mutation=mutation_models())
    best = result.assignments[0]
    truth = {mp: r for r, (f, mp) in d.truth.items() if f == fam.pedigree.family_id}
    assert best.pairs == truth
    assert best.posterior > 0.99
    assert sum(a.posterior for a in result.assignments) == pytest.approx(1.0)


def test_single_assignment_lr_equals_the_pairwise_lr(scene: tuple) -> None:
    d, fam, remains = scene
    result = joint_search(fam, remains, d.table, mutation=mutation_models())
    for a in result.assignments:
        if a.identified == 1:
            mp, r = next((k, v) for k, v in a.pairs.items() if v)
            profile = next(p for p in remains if p.sample_id == r)
            single = pair_lr(fam.pedigree, mp, fam.references, profile, d.table, mutation_models())
            assert a.log10_lr == pytest.approx(single.log10_lr, rel=1e-9, abs=1e-9)


def test_null_assignment_has_lr_one(scene: tuple) -> None:
    d, fam, remains = scene
    result = joint_search(fam, remains, d.table, mutation=mutation_models())
    null = next(a for a in result.assignments if a.identified == 0)
    assert null.log10_lr == 0.0


def test_remains_of_the_other_sex_are_never_assigned(scene: tuple) -> None:
    d, fam, remains = scene
    sexes = {p.sample_id: "female" for p in remains}
    result = joint_search(fam, remains, d.table, sexes=sexes, mutation=mutation_models())
    males = [p.id for p in fam.pedigree.persons if p.missing and p.sex == "male"]
    assert males
    for a in result.assignments:
        assert all(a.pairs[mp] is None for mp in males)


def test_each_remains_is_used_once_per_assignment(scene: tuple) -> None:
    d, fam, remains = scene
    result = joint_search(fam, remains, d.table, mutation=mutation_models())
    for a in result.assignments:
        used = [r for r in a.pairs.values() if r]
        assert len(used) == len(set(used))
    assert all(math.isfinite(a.log10_likelihood) for a in result.assignments)


def test_too_many_assignments_is_refused(scene: tuple) -> None:
    d, fam, remains = scene
    with pytest.raises(ValidationError, match="above the limit"):
        joint_search(fam, remains, d.table, mutation=mutation_models(), max_assignments=3)


def test_assignment_likelihoods_match_brute_force_enumeration() -> None:
    import numpy as np

    from hague.identify.frequencies import FrequencyTable
    from hague.identify.pedigree import Pedigree, Person
    from hague.identify.profiles import Profile
    from tests.identify.brute import brute_joint

    table = FrequencyTable("t", {"M": {"1": 0.2, "2": 0.3, "3": 0.5}})
    ped = Pedigree("F", [Person("FA", sex="male", sample="REF"), Person("MO", sex="female"),
                         Person("MP1", "FA", "MO", missing=True), Person("MP2", "FA", "MO", missing=True)])  # fmt: skip
    fam = Family(ped, {"REF": Profile("REF", {"M": ("1", "2")})})
    remains = [Profile("R1", {"M": ("1", "3")}), Profile("R2", {"M": ("2", None)}), Profile("R3", {"M": ("3", "3")})]
    result = joint_search(fam, remains, table)
    genos = {"REF": (0, 1), "R1": (0, 2), "R2": (1, None), "R3": (2, 2)}
    for a in result.assignments:
        persons = [("FA", None, None), ("MO", None, None), ("MP1", "FA", "MO"), ("MP2", "FA", "MO")]
        data: dict = {"FA": genos["REF"]}
        for mp, r in a.pairs.items():
            if r:
                data[mp] = genos[r]
        for r in ("R1", "R2", "R3"):
            if r not in a.pairs.values():
                persons.append((r, None, None))
                data[r] = genos[r]
        brute = brute_joint(persons, data, [0.2, 0.3, 0.5], np.eye(3), 0.0, None)[0, 0]
        assert 10**a.log10_likelihood == pytest.approx(brute, rel=1e-9)
    assert len(result.assignments) == 7  # R3 (3/3) cannot be a child of the 1/2 father: pruned
    assert ("MP1", "R3") in result.pruned_pairs
