"""Log-linear MSE: model enumeration, fitting, and Rcapture's published results (Rivest 2011; Cormack et al. 2000).

Reference numbers are those Rcapture's own test suite reproduces from the papers ("Paper results"):
Darroch et al. (1993) R3 data, Bruno et al. (1994) diabetes data, Cormack, Chang and Smith (2000).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hague.casualties.loglinear import (
    CaptureTable,
    Term,
    fit_models,
    hierarchical_models,
    model_name,
    profile_interval,
    search,
    statsmodels_fit,
)
from hague.errors import ValidationError


def histpos(t: int) -> list[tuple[int, ...]]:
    """Rcapture's `histpos.t(t)` row order: 1...1 down to 0...01."""
    return [h for h in itertools.product((1, 0), repeat=t) if any(h)]


def table(t: int, counts: list[int]) -> CaptureTable:
    return CaptureTable.from_counts([f"c{i + 1}" for i in range(t)], dict(zip(histpos(t), counts, strict=True)))


def terms(*pairs: tuple[int, ...]) -> tuple[Term, ...]:
    return tuple(frozenset(p) for p in pairs)


DARROCH_R3 = table(3, [72, 155, 7, 71, 13, 53, 43])
DIABETES = table(4, [58, 157, 18, 104, 46, 650, 12, 709, 14, 20, 7, 74, 8, 182, 10])
CORMACK_4 = table(4, [72, 5, 29, 53, 24, 3, 12, 14, 0, 0, 0, 1, 0, 0, 2])
CORMACK_3 = table(3, [72, 5, 29, 54, 24, 3, 14])

PUBLISHED = [
    # data, interaction terms (0-based lists), abundance, stderr, deviance, df
    ("R3 saturated", DARROCH_R3, terms((0, 1), (0, 2), (1, 2)), 1240, 451, None, 0),
    ("R3 [12,23]", DARROCH_R3, terms((0, 1), (1, 2)), 850, 186, 3.8, 1),
    ("diabetes Bruno", DIABETES, terms((0, 1), (0, 2), (1, 2), (1, 3), (2, 3)), 2771, 145, 7.62, 5),
    ("diabetes Rivest", DIABETES, terms((0, 2), (1, 3), (2, 3)), 2472, 53, 21.97, 7),
    ("Cormack 4 Mt", CORMACK_4, terms(), 215, None, 87.1, 10),
    ("Cormack 4 [34]", CORMACK_4, terms((2, 3)), 215, None, None, 9),
    ("Cormack 4 [12,13,34]", CORMACK_4, terms((0, 1), (0, 2), (2, 3)), 218, None, 2.6, 7),
    ("Cormack 3 Mt", CORMACK_3, terms(), 209, None, 75.1, 3),
    ("Cormack 3 [13,23]", CORMACK_3, terms((0, 2), (1, 2)), 233, None, None, 1),
]


@pytest.mark.parametrize(
    ("name", "data", "model", "abundance", "stderr", "deviance", "df"), PUBLISHED, ids=[p[0] for p in PUBLISHED]
)
def test_estimates_match_rcapture_published_numbers(
    name: str,
    data: CaptureTable,
    model: tuple[Term, ...],
    abundance: int,
    stderr: int | None,
    deviance: float | None,
    df: int,
) -> None:
    fit = fit_models(data, [model])[0]
    assert abs(fit.estimate - abundance) / abundance < 0.01
    assert round(fit.estimate) == abundance
    assert fit.df == df
    if deviance is not None:
        assert round(fit.deviance, 2 if deviance != round(deviance, 1) else 1) == deviance
    if stderr is not None:
        assert round(statsmodels_fit(data, model)["stderr"]) == stderr


@pytest.mark.parametrize(
    ("data", "model", "lower", "upper"),
    [
        (CORMACK_3, terms(), 203, 217),
        (CORMACK_3, terms((1, 2)), 210, None),
        (CORMACK_3, terms((0, 2), (1, 2)), 204, None),
    ],
)
def test_profile_intervals_match_rcapture(
    data: CaptureTable, model: tuple[Term, ...], lower: int, upper: int | None
) -> None:
    fit = fit_models(data, [model])[0]
    low, high = profile_interval(data, fit)
    assert round(low) == lower
    if upper is not None:
        assert round(high) == upper


@pytest.mark.parametrize(("k", "expected"), [(2, 1), (3, 8), (4, 113)])
def test_number_of_hierarchical_models(k: int, expected: int) -> None:
    assert len(hierarchical_models(k)) == expected


def test_every_enumerated_model_is_hierarchical() -> None:
    for model in hierarchical_models(5):
        chosen = set(model)
        for term in model:
            if len(term) > 2:
                assert all(term - {j} in chosen for j in term)


def test_batched_irls_agrees_with_statsmodels() -> None:
    fits = fit_models(DIABETES, hierarchical_models(4))
    for fit in fits[::7]:
        reference = statsmodels_fit(DIABETES, fit.terms)
        assert fit.estimate == pytest.approx(reference["estimate"], rel=1e-6)
        assert fit.deviance == pytest.approx(reference["deviance"], rel=1e-6, abs=1e-6)


def test_model_names_follow_rcapture() -> None:
    assert model_name(terms(), 3) == "[1,2,3]"
    assert model_name(terms((0, 1), (1, 2)), 3) == "[12,23]"
    assert model_name(terms((0, 1), (0, 2), (1, 2), (0, 1, 2)), 4) == "[123,4]"


def test_search_selects_and_averages() -> None:
    result = search(DIABETES)
    assert result.selected.aic == min(f.aic for f in result.models)
    assert sum(f.weight for f in result.models) == pytest.approx(1.0)
    lo, hi = result.averaged_interval
    assert lo <= result.averaged_estimate <= hi
    assert result.selected.interval is not None


def test_sparse_dependent_lists_are_warned_about() -> None:
    assert any("strongly dependent" in w or "sparse" in w for w in search(CORMACK_4).warnings)


def test_small_lists_are_warned_about() -> None:
    small = table(3, [2, 3, 1, 9, 2, 8, 7])
    assert any("holds only" in w for w in search(small).warnings)


def test_unobservable_history_is_refused() -> None:
    with pytest.raises(ValidationError):
        CaptureTable.from_counts(["a", "b"], {(0, 0): 3, (1, 0): 2})


@settings(max_examples=25, deadline=None)
@given(n1=st.integers(20, 400), n2=st.integers(20, 400), both=st.integers(1, 19))
def test_two_lists_reduce_to_lincoln_petersen(n1: int, n2: int, both: int) -> None:
    data = CaptureTable.from_counts(["a", "b"], {(1, 1): both, (1, 0): n1 - both, (0, 1): n2 - both})
    fit = fit_models(data, [()])[0]
    assert fit.estimate == pytest.approx(n1 * n2 / both, rel=1e-6)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_profile_interval_contains_the_estimate(seed: int) -> None:
    rng = np.random.default_rng(seed)
    counts = rng.integers(3, 80, size=7).tolist()
    data = table(3, counts)
    fit = fit_models(data, [terms((0, 1))])[0]
    low, high = profile_interval(data, fit)
    assert data.observed <= low <= fit.estimate * 1.001 and high >= fit.estimate * 0.999
