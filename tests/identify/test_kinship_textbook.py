"""Textbook kinship values: paternity, sibling and identity indices, and untyped intermediate relatives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hague.identify.kinship import identity_lr, kinship_lr, match_probability
from hague.identify.likelihood import MarkerModel, joint_with_target, population_genotypes, unordered
from hague.identify.pedigree import Pedigree, Person

P = {"a": 0.1, "b": 0.2, "c": 0.3, "d": 0.4}
pa, pb, pc = P["a"], P["b"], P["c"]
MODEL = MarkerModel("M", ("a", "b", "c", "d"), np.array([0.1, 0.2, 0.3, 0.4]))


def pedigree_lr(ped: Pedigree, data: dict, mp: str, geno: tuple[str, str], model: MarkerModel = MODEL) -> float:
    """LR of `geno` as the missing person: P(MP = g | references) / P(g), read off the engine."""
    joint = joint_with_target(ped, model, data, mp)
    i, j = model.index[geno[0]], model.index[geno[1]]
    return float(unordered(joint)[i, j] / joint.sum() / population_genotypes(model.freqs)[i, j])


DUO = Pedigree("D", [Person("AF", sex="male"), Person("MO", sex="female"), Person("MP", "AF", "MO", missing=True)])
# paternity index without the mother (Evett & Weir table 7.x): child genotype, alleged father genotype, PI
PI_DUO = [
    (("a", "a"), ("a", "a"), 1 / pa),
    (("a", "a"), ("a", "b"), 1 / (2 * pa)),
    (("a", "b"), ("a", "a"), 1 / (2 * pa)),
    (("a", "b"), ("a", "c"), 1 / (4 * pa)),
    (("a", "b"), ("a", "b"), (pa + pb) / (4 * pa * pb)),
    (("a", "b"), ("c", "c"), 0.0),
]


@pytest.mark.parametrize(("child", "father", "expected"), PI_DUO)
def test_paternity_index_without_mother(child: tuple, father: tuple, expected: float) -> None:
    assert pedigree_lr(DUO, {"AF": father}, "MP", child) == pytest.approx(expected, rel=1e-12, abs=0)
    assert kinship_lr(child, father, P, "parent-child") == pytest.approx(expected, rel=1e-12, abs=0)


# trio: the mother is typed; PI = LR(mother and father) / LR(mother alone) = 1/p or 1/(2p) of the obligate allele
PI_TRIO = [
    (("a", "b"), ("a", "a"), ("b", "b"), 1 / pb),
    (("a", "b"), ("a", "a"), ("b", "c"), 1 / (2 * pb)),
    (("a", "b"), ("a", "b"), ("a", "b"), 1 / (pa + pb)),
    (("a", "b"), ("a", "b"), ("a", "c"), 1 / (2 * (pa + pb))),
]


@pytest.mark.parametrize(("child", "mother", "father", "expected"), PI_TRIO)
def test_paternity_index_with_mother(child: tuple, mother: tuple, father: tuple, expected: float) -> None:
    both = pedigree_lr(DUO, {"AF": father, "MO": mother}, "MP", child)
    mother_only = pedigree_lr(DUO, {"MO": mother}, "MP", child)
    assert both / mother_only == pytest.approx(expected, rel=1e-12)


SIBS = Pedigree(
    "S",
    [
        Person("FA", sex="male"),
        Person("MO", sex="female"),
        Person("S1", "FA", "MO"),
        Person("MP", "FA", "MO", missing=True),
    ],
)
# full-sibling index (Wenk et al. 1996 / Evett & Weir): both genotypes and the closed form
SI = [
    (("a", "a"), ("a", "a"), (1 + pa) ** 2 / (4 * pa**2)),
    (("a", "b"), ("a", "b"), (1 + pa + pb + 2 * pa * pb) / (8 * pa * pb)),
    (("a", "a"), ("a", "b"), (1 + pa) / (4 * pa)),
    (("a", "b"), ("a", "c"), (1 + 2 * pa) / (8 * pa)),
    (("a", "a"), ("b", "b"), 0.25),
    (("a", "b"), ("c", "d"), 0.25),
]


@pytest.mark.parametrize(("g1", "g2", "expected"), SI)
def test_full_sibling_index(g1: tuple, g2: tuple, expected: float) -> None:
    assert kinship_lr(g1, g2, P, "full-siblings") == pytest.approx(expected, rel=1e-12)
    assert pedigree_lr(SIBS, {"S1": g1}, "MP", g2) == pytest.approx(expected, rel=1e-12)


# kappa1 = 1/2 relationships: LR = 1/2 + 1/2 * X where X is the duo paternity index of the pair
HALF = [(c, f, 0.5 + 0.5 * pi) for c, f, pi in PI_DUO]

GRANDPARENT = Pedigree(
    "G",
    [
        Person("GF", sex="male"),
        Person("GM", sex="female"),
        Person("FA", "GF", "GM", sex="male"),
        Person("MO", sex="female"),
        Person("MP", "FA", "MO", missing=True),
    ],
)
AVUNCULAR = Pedigree(
    "A",
    [
        Person("GF", sex="male"),
        Person("GM", sex="female"),
        Person("UN", "GF", "GM", sex="male"),
        Person("FA", "GF", "GM", sex="male"),
        Person("MO", sex="female"),
        Person("MP", "FA", "MO", missing=True),
    ],
)
HALF_SIBS = Pedigree(
    "H",
    [
        Person("FA", sex="male"),
        Person("M1", sex="female"),
        Person("M2", sex="female"),
        Person("HS", "FA", "M1"),
        Person("MP", "FA", "M2", missing=True),
    ],
)


@pytest.mark.parametrize(("child", "relative", "expected"), HALF)
def test_grandparent_via_untyped_parent_equals_half_sib_formula(child: tuple, relative: tuple, expected: float) -> None:
    assert pedigree_lr(GRANDPARENT, {"GF": relative}, "MP", child) == pytest.approx(expected, rel=1e-12)
    assert kinship_lr(child, relative, P, "grandparent") == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("child", "relative", "expected"), HALF)
def test_uncle_via_untyped_grandparents_equals_avuncular_formula(
    child: tuple, relative: tuple, expected: float
) -> None:
    assert pedigree_lr(AVUNCULAR, {"UN": relative}, "MP", child) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("child", "relative", "expected"), HALF)
def test_half_sibling_via_untyped_father(child: tuple, relative: tuple, expected: float) -> None:
    assert pedigree_lr(HALF_SIBS, {"HS": relative}, "MP", child) == pytest.approx(expected, rel=1e-12)


COUSINS = Pedigree(
    "C",
    [
        Person("GF", sex="male"),
        Person("GM", sex="female"),
        Person("F1", "GF", "GM", sex="male"),
        Person("F2", "GF", "GM", sex="male"),
        Person("W1", sex="female"),
        Person("W2", sex="female"),
        Person("CO", "F1", "W1"),
        Person("MP", "F2", "W2", missing=True),
    ],
)


@pytest.mark.parametrize(("child", "relative", "pi"), PI_DUO)
def test_first_cousins_via_two_untyped_generations(child: tuple, relative: tuple, pi: float) -> None:
    expected = 0.75 + 0.25 * pi
    assert pedigree_lr(COUSINS, {"CO": relative}, "MP", child) == pytest.approx(expected, rel=1e-12)
    assert kinship_lr(child, relative, P, "first-cousins") == pytest.approx(expected, rel=1e-12)


def test_identity_lr_is_one_over_match_probability() -> None:
    assert identity_lr(("a", "b"), ("a", "b"), P) == pytest.approx(1 / (2 * pa * pb), rel=1e-12)
    assert identity_lr(("c", "c"), ("c", "c"), P) == pytest.approx(1 / pc**2, rel=1e-12)
    assert identity_lr(("a", "b"), ("a", "c"), P) == 0.0


def test_match_probability_with_theta_follows_nrc_ii_4_10() -> None:
    t = 0.03
    het = 2 * (t + (1 - t) * pa) * (t + (1 - t) * pb) / ((1 + t) * (1 + 2 * t))
    hom = (2 * t + (1 - t) * pa) * (3 * t + (1 - t) * pa) / ((1 + t) * (1 + 2 * t))
    assert match_probability(("a", "b"), P, t) == pytest.approx(het, rel=1e-12)
    assert match_probability(("a", "a"), P, t) == pytest.approx(hom, rel=1e-12)
    assert identity_lr(("a", "a"), ("a", "a"), P, t) == pytest.approx(1 / hom, rel=1e-12)


def test_paternity_index_with_theta_matches_balding_nichols() -> None:
    # child aa, father aa: P(PC) = p(t+(1-t)p)(2t+(1-t)p)/(1+t); unrelated adds a 4th draw -> PI below
    t = 0.02
    expected = (1 + 2 * t) / (3 * t + (1 - t) * pa)
    assert kinship_lr(("a", "a"), ("a", "a"), P, "parent-child", theta=t) == pytest.approx(expected, rel=1e-12)
    theta_model = MarkerModel("M", MODEL.alleles, MODEL.freqs, theta=t)
    from hague.identify.statistics import marker_lr

    got = marker_lr(DUO, "MP", theta_model, {"AF": ("a", "a")}, ("a", "a")).lr
    assert got == pytest.approx(expected, rel=1e-12)


EFFECT = Pedigree("E", [Person("MP", missing=True, sample="EFFECT-1")])


@pytest.mark.parametrize("geno", [("a", "b"), ("c", "c"), ("b", "d")])
def test_personal_effect_reference_gives_the_identity_lr(geno: tuple[str, str]) -> None:
    expected = identity_lr(geno, geno, P)
    assert pedigree_lr(EFFECT, {"MP": geno}, "MP", geno) == pytest.approx(expected, rel=1e-12)
    assert pedigree_lr(EFFECT, {"MP": geno}, "MP", ("a", "c")) == 0.0


def test_personal_effect_identity_lr_with_theta_is_one_over_nrc_ii_match_probability() -> None:
    from hague.identify.statistics import marker_lr

    t = 0.03
    model = MarkerModel("M", MODEL.alleles, MODEL.freqs, theta=t)
    for geno in (("a", "b"), ("c", "c")):
        got = marker_lr(EFFECT, "MP", model, {"MP": geno}, geno).lr
        assert got == pytest.approx(1 / match_probability(geno, P, t), rel=1e-12)


RELATIVE_IN = {
    "parent-child": (DUO, "AF"),
    "full-siblings": (SIBS, "S1"),
    "half-siblings": (HALF_SIBS, "HS"),
    "grandparent": (GRANDPARENT, "GF"),
    "avuncular": (AVUNCULAR, "UN"),
    "first-cousins": (COUSINS, "CO"),
}
genos = st.tuples(st.sampled_from("abcd"), st.sampled_from("abcd")).map(lambda g: tuple(sorted(g)))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(RELATIVE_IN)), genos, genos, st.sampled_from([0.0, 0.01, 0.05]))
def test_ibd_formula_equals_the_pedigree_computation(relationship: str, g1: tuple, g2: tuple, theta: float) -> None:
    from hague.identify.statistics import marker_lr

    ped, relative = RELATIVE_IN[relationship]
    model = MarkerModel("M", MODEL.alleles, MODEL.freqs, theta=theta)
    by_pedigree = marker_lr(ped, "MP", model, {relative: g1}, g2).lr
    assert by_pedigree == pytest.approx(kinship_lr(g1, g2, P, relationship, theta), rel=1e-9, abs=1e-300)
