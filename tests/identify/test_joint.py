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
