"""Pedigree likelihoods agree with brute-force enumeration on random small pedigrees and profiles."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hague.errors import ValidationError
from hague.identify.likelihood import MarkerModel, joint_and_plain, joint_with_target, likelihood
from hague.identify.mutation import MutationModel
from hague.identify.pedigree import Pedigree, Person
from tests.identify.brute import brute_joint


@st.composite
def cases(draw: st.DrawFn, theta_allowed: bool = True) -> tuple[Pedigree, MarkerModel, dict, str | None, dict]:
    k = draw(st.integers(2, 4))
    raw = draw(st.lists(st.floats(0.05, 1.0), min_size=k, max_size=k))
    freqs = np.array(raw) / sum(raw)
    alleles = tuple(str(10 + i) for i in range(k))
    n = draw(st.integers(1, 4))
    persons: list[Person] = []
    for i in range(n):
        males = [p.id for p in persons if p.sex == "male"]
        females = [p.id for p in persons if p.sex == "female"]
        sex = draw(st.sampled_from(["male", "female"]))
        if males and females and draw(st.booleans()):
            persons.append(Person(f"P{i}", draw(st.sampled_from(males)), draw(st.sampled_from(females)), sex))
        else:
            persons.append(Person(f"P{i}", sex=sex))
    founders = sum(1 for p in persons if p.father is None)
    typed = draw(st.lists(st.sampled_from([p.id for p in persons]), unique=True, max_size=min(n, 3)))
    data: dict[str, tuple[str, str | None]] = {}
    idx: dict[str, tuple[int, int | None]] = {}
    for pid in typed:
        a = draw(st.integers(0, k - 1))
        b = draw(st.one_of(st.none(), st.integers(0, k - 1)))
        if b is not None and b < a:
            a, b = b, a
        data[pid] = (alleles[a], None if b is None else alleles[b])
        idx[pid] = (a, b)
    target = draw(st.one_of(st.none(), st.sampled_from([p.id for p in persons])))
    kind = draw(st.sampled_from([None, "equal", "proportional", "stepwise"]))
    mutation = None if kind is None else MutationModel(kind, draw(st.floats(0.001, 0.2)), range=0.5, rate2=0.001)
    theta = draw(st.sampled_from([0.0, 0.0, 0.03, 0.2])) if theta_allowed and founders <= 3 else 0.0
    model = MarkerModel("M", alleles, freqs, mutation, theta)
    try:
        model.transmission  # noqa: B018  (a proportional rate can be impossible for skewed frequencies)
    except ValidationError:
        assume(False)
    ped = Pedigree("F", persons)
    return ped, model, data, target, idx


def _brute(ped: Pedigree, model: MarkerModel, idx: dict, target: str | None) -> np.ndarray:
    persons = [(p.id, p.father, p.mother) for p in ped.persons]
    return brute_joint(persons, idx, list(model.freqs), model.transmission, model.theta, target)


def _close(a: np.ndarray | float, b: np.ndarray | float) -> None:
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-300)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_likelihood_matches_brute_force(case: tuple) -> None:
    ped, model, data, _, idx = case
    _close(likelihood(ped, model, data), _brute(ped, model, idx, None)[0, 0])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_missing_person_joint_matches_brute_force(case: tuple) -> None:
    ped, model, data, target, idx = case
    if target is None:
        return
    _close(joint_with_target(ped, model, data, target), _brute(ped, model, idx, target))


def test_lumping_unseen_alleles_keeps_the_likelihood() -> None:
    alleles = tuple(str(a) for a in range(8, 16))
    freqs = np.linspace(1, 2, 8) / np.linspace(1, 2, 8).sum()
    ped = Pedigree("F", [Person("FA", sex="male"), Person("MO", sex="female"), Person("C", "FA", "MO")])
    data = {"FA": ("8", "9"), "C": ("9", "10")}
    for mutation in (None, MutationModel("proportional", 0.01)):
        model = MarkerModel("M", alleles, freqs, mutation)
        idx = {pid: (alleles.index(a), alleles.index(b)) for pid, (a, b) in data.items()}  # type: ignore[arg-type]
        _close(likelihood(ped, model, data), _brute(ped, model, idx, None)[0, 0])
        _close(joint_with_target(ped, model, data, "MO"), _brute(ped, model, idx, "MO"))


def test_allele_missing_from_database_is_refused() -> None:
    model = MarkerModel("M", ("1", "2"), np.array([0.5, 0.5]))
    ped = Pedigree("F", [Person("A")])
    with pytest.raises(ValidationError, match="missing from the frequency database"):
        likelihood(ped, model, {"A": ("1", "3")})


def test_target_typed_by_a_personal_effect_keeps_only_that_genotype() -> None:
    model = MarkerModel("M", ("1", "2", "3"), np.array([0.2, 0.3, 0.5]))
    ped = Pedigree("F", [Person("MP", missing=True, sample="EFFECT-1")])
    joint = joint_with_target(ped, model, {"MP": ("1", "3")}, "MP")
    expected = np.zeros((3, 3))
    expected[0, 2], expected[2, 0] = 0.2 * 0.5, 0.5 * 0.2
    _close(joint, expected)


def test_theta_on_too_many_untyped_founders_is_refused_clearly() -> None:
    alleles = tuple(str(a) for a in range(10))
    model = MarkerModel("M", alleles, np.full(10, 0.1), theta=0.01)
    ped = Pedigree("F", [Person("GF", sex="male"), Person("GM", sex="female"), Person("A", "GF", "GM", "male"),
                         Person("B", sex="female"), Person("MP", "A", "B", missing=True)])  # fmt: skip
    with pytest.raises(ValidationError, match="too many for this pedigree"):
        joint_with_target(ped, model, {}, "MP")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(theta_allowed=False))
def test_joint_and_plain_in_one_pass_equal_two_separate_passes(case: tuple) -> None:
    ped, model, data, target, _ = case
    if target is None:
        return
    plain = MarkerModel(model.name, model.alleles, model.freqs)
    with_mut, without = joint_and_plain(ped, model, data, target)
    _close(with_mut, joint_with_target(ped, model, data, target))
    _close(without, joint_with_target(ped, plain, data, target))
