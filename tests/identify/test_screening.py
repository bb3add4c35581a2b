"""Vectorised screening agrees with the exact per-pair computation, respects sex, and ranks by LR."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hague.errors import ValidationError
from hague.identify.profiles import Profile
from hague.identify.screening import screen, screen_matrix
from hague.identify.statistics import pair_lr
from tests.identify.disaster import Disaster, disaster, mutation_models


@pytest.fixture(scope="module")
def small() -> Disaster:
    return disaster(families=8, remains=10, dropout_share=0.5, seed=3)


def test_vectorised_lrs_equal_exact_pair_lrs(small: Disaster) -> None:
    matrix = screen_matrix(small.remains, small.families, small.table, mutation=mutation_models())
    fams = {f.pedigree.family_id: f for f in small.families}
    for row, (family, mp, _) in enumerate(matrix.rows):
        fam = fams[family]
        for col, profile in list(enumerate(small.remains))[:6]:
            exact = pair_lr(fam.pedigree, mp, fam.references, profile, small.table, mutation_models())
            got = matrix.log10_lr[row, col]
            assert got == pytest.approx(exact.log10_lr, rel=1e-9, abs=1e-9)
            assert matrix.exclusions[row, col] == exact.exclusions


def test_dropout_remains_are_compared_on_fewer_markers(small: Disaster) -> None:
    matrix = screen_matrix(small.remains, small.families, small.table)
    full = [c for c, p in enumerate(small.remains) if len(p.genotypes) == 21]
    partial = [c for c, p in enumerate(small.remains) if len(p.genotypes) < 21]
    assert partial and full
    assert (matrix.markers_compared[:, partial] < 21).all()
    assert (matrix.markers_compared[:, full] == 21).all()


def test_true_pairs_rank_first(small: Disaster) -> None:
    result = screen(small.remains, small.families, small.table, mutation=mutation_models(), sexes=small.sexes)
    assert result.candidates
    assert all(small.truth.get(c.remains) == (c.family, c.missing_person) for c in result.candidates)
    logs = [c.log10_lr for c in result.candidates]
    assert logs == sorted(logs, reverse=True)
    assert all(c.log10_lr >= 4 for c in result.candidates)


def test_remains_of_the_other_sex_are_never_candidates(small: Disaster) -> None:
    flipped = {s: {"male": "female", "female": "male"}[x] for s, x in small.sexes.items()}
    result = screen(small.remains, small.families, small.table, sexes=flipped, threshold=1.0)
    fams = {f.pedigree.family_id: f.pedigree for f in small.families}
    for c in result.candidates:
        assert fams[c.family].person(c.missing_person).sex in ("unknown", flipped[c.remains])


def test_theta_rescoring_uses_the_exact_corrected_lr(small: Disaster) -> None:
    result = screen(small.remains, small.families, small.table, theta=0.01, threshold=1e4)
    fams = {f.pedigree.family_id: f for f in small.families}
    by_id = {p.sample_id: p for p in small.remains}
    assert result.candidates
    for c in result.candidates[:3]:
        fam = fams[c.family]
        exact = pair_lr(fam.pedigree, c.missing_person, fam.references, by_id[c.remains], small.table, theta=0.01)
        assert c.log10_lr == pytest.approx(exact.log10_lr, rel=1e-12)
        plain = pair_lr(fam.pedigree, c.missing_person, fam.references, by_id[c.remains], small.table)
        assert exact.log10_lr < plain.log10_lr  # theta is conservative for a true match


def test_two_workers_give_the_same_matrix(small: Disaster) -> None:
    one = screen_matrix(small.remains, small.families, small.table)
    two = screen_matrix(small.remains, small.families, small.table, workers=2)
    order = {r: i for i, r in enumerate(two.rows)}
    perm = [order[r] for r in one.rows]
    np.testing.assert_array_equal(one.log10_lr, two.log10_lr[perm])


def test_threshold_must_be_positive(small: Disaster) -> None:
    with pytest.raises(ValidationError):
        screen(small.remains, small.families, small.table, threshold=0)


def test_lr_property_is_ten_to_the_log(small: Disaster) -> None:
    result = screen(small.remains, small.families, small.table)
    assert result.candidates[0].lr == pytest.approx(10 ** result.candidates[0].log10_lr)
    assert not math.isnan(result.candidates[-1].lr)


def test_personal_effect_references_screen_by_identity(small: Disaster) -> None:
    from hague.identify.kinship import identity_lr
    from hague.identify.pedigree import Pedigree, Person
    from hague.identify.screening import Family

    target = next(p for p in small.remains if all(b is not None for _, b in p.genotypes.values()))
    effect = Profile("EFFECT-1", dict(target.genotypes))
    fam = Family(Pedigree("FX", [Person("MP", sex="unknown", sample="EFFECT-1", missing=True)]), {"EFFECT-1": effect})
    result = screen(small.remains, [fam], small.table, threshold=1e4)
    assert [c.remains for c in result.candidates] == [target.sample_id]
    table = small.table.with_alleles({})
    expected = sum(math.log10(identity_lr(g, g, table.markers[m])) for m, g in target.genotypes.items())
    assert result.candidates[0].log10_lr == pytest.approx(expected, rel=1e-9)


def test_inconsistent_references_are_reported_and_that_marker_is_skipped(small: Disaster) -> None:
    from hague.identify.pedigree import Pedigree, Person
    from hague.identify.screening import Family

    mother = Profile("MO-1", {"TH01": ("6", "6"), "FGA": ("20", "21")})
    child = Profile("CH-1", {"TH01": ("7", "8"), "FGA": ("20", "22")})  # TH01: no allele from the mother
    ped = Pedigree("FBAD", [Person("FA", sex="male"), Person("MO", sex="female", sample="MO-1"),
                            Person("CH", "FA", "MO", sample="CH-1"),
                            Person("MP", "FA", "MO", missing=True)])  # fmt: skip
    remains = [Profile("R1", {"TH01": ("6", "7"), "FGA": ("20", "22")})]
    from hague.identify.frequencies import FrequencyTable

    table = FrequencyTable("t", {"TH01": {"6": 0.3, "7": 0.3, "8": 0.4}, "FGA": {"20": 0.3, "21": 0.3, "22": 0.4}})
    matrix = screen_matrix(remains, [Family(ped, {"MO-1": mother, "CH-1": child})], table)
    assert matrix.warnings == ["family FBAD: references inconsistent at TH01"]
    assert math.isfinite(matrix.log10_lr[0, 0])  # TH01 counts as LR 1, FGA decides
