"""Simulated populations with known size and known list dependence, for MSE coverage trials."""

from __future__ import annotations

from collections import Counter

import numpy as np

from hague.casualties.loglinear import CaptureTable


def to_table(captures: np.ndarray) -> CaptureTable:
    """Capture table of an individuals x lists 0/1 matrix (unseen individuals drop out)."""
    counted: Counter[tuple[int, ...]] = Counter(tuple(int(v) for v in row) for row in captures if row.any())
    return CaptureTable.from_counts([f"L{j + 1}" for j in range(captures.shape[1])], dict(counted))


def dependent_lists(rng: np.random.Generator, size: int, base: tuple[float, ...], lift: float) -> CaptureTable:
    """Lists capture independently except list 2, whose odds rise by `lift` for people on list 1."""
    captures = rng.random((size, len(base))) < np.asarray(base)
    odds = base[1] / (1 - base[1]) * lift
    boosted = rng.random(size) < odds / (1 + odds)
    captures[:, 1] = np.where(captures[:, 0], boosted, captures[:, 1])
    return to_table(captures)


def latent_classes(
    rng: np.random.Generator, size: int, weights: tuple[float, ...], probabilities: tuple[tuple[float, ...], ...]
) -> CaptureTable:
    """Heterogeneous population: each class has its own capture probability per list."""
    classes = rng.choice(len(weights), size=size, p=np.asarray(weights))
    p = np.asarray(probabilities)[classes]
    return to_table(rng.random(p.shape) < p)


DEPENDENT_SIZE = 1000


def dependent_population(rng: np.random.Generator) -> CaptureTable:
    """4 lists capturing independently (0.3, 0.25, 0.35, 0.2) except lists 1 and 2: odds ratio 3 between them."""
    return dependent_lists(rng, DEPENDENT_SIZE, (0.3, 0.25, 0.35, 0.2), 3.0)


LATENT_SIZE = 2000
LCMCR_CLASSES = ((0.7, 0.3), ((0.15, 0.2, 0.1, 0.25, 0.15), (0.5, 0.6, 0.4, 0.55, 0.45)))


def latent_population(rng: np.random.Generator) -> CaptureTable:
    """5 lists, two latent classes: 70% rarely listed (0.1-0.25 per list), 30% often listed (0.4-0.6)."""
    return latent_classes(rng, LATENT_SIZE, *LCMCR_CLASSES)


def loglinear_coverage(trials: int, seed: int = 11) -> dict[str, float]:
    """Share of trials whose 95% intervals cover the true size: model-averaged and AIC-selected profile."""
    from hague.casualties.loglinear import search

    rng = np.random.default_rng(seed)
    averaged = selected = 0
    for _ in range(trials):
        result = search(dependent_population(rng))
        assert result.selected.interval is not None
        low, high = result.averaged_interval
        averaged += low <= DEPENDENT_SIZE <= high
        low, high = result.selected.interval
        selected += low <= DEPENDENT_SIZE <= high
    return {"averaged": averaged / trials, "selected": selected / trials}


def lcmcr_coverage(trials: int, iterations: int, dependent: bool, chains: int = 4, seed: int = 11) -> dict[str, float]:
    """LCMCR over `trials` populations (the dependent-lists ones or the latent-class ones): share of 95% credible
    intervals covering the true size, and shares missing it from below (interval under the truth) and above."""
    from hague.casualties.lcmcr import sample

    rng = np.random.default_rng(seed)
    size = DEPENDENT_SIZE if dependent else LATENT_SIZE
    under = over = 0
    for trial in range(trials):
        data = dependent_population(rng) if dependent else latent_population(rng)
        result = sample(data, iterations=iterations, burn_in=iterations // 4, thin=2, seed=trial, chains=chains)
        low, high = result.interval
        under += high < size
        over += low > size
    return {"covered": 1 - (under + over) / trials, "under": under / trials, "over": over / trials}
