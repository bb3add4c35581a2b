"""Bayesian non-parametric latent-class capture-recapture (LCMCR; Manrique-Vallier 2016, Biometrics 72).

Individuals fall in latent classes (truncated stick-breaking prior, K classes) within which lists
capture independently; heterogeneity and dependence between lists come from the mixture. The Gibbs
sampler augments the data with the N - n unobserved individuals, as in the R package LCMCR that HRDAG uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from hague.casualties.loglinear import CaptureTable
from hague.errors import ValidationError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass
class LCMCRResult:
    """Posterior of the population size: median, 95% credible interval, and the sampler's settings."""

    table: CaptureTable
    estimate: float
    interval: tuple[float, float]
    mean: float
    samples: IntArray
    settings: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "model": f"LCMCR (K={self.settings['classes']})",
            "estimate": round(self.estimate, 3),
            "interval": [round(v, 3) for v in self.interval],
            "posterior_mean": round(self.mean, 3),
            "settings": self.settings,
            "warnings": self.warnings,
        }


def _class_loglik(patterns: FloatArray, lam: FloatArray) -> FloatArray:
    """log P(pattern | class) for every pattern (rows) and class (columns)."""
    log_lam = np.log(lam)
    log_not = np.log1p(-lam)
    return np.asarray(patterns @ log_lam.T + (1.0 - patterns) @ log_not.T, dtype=np.float64)


def _multinomial_rows(rng: np.random.Generator, counts: IntArray, probs: FloatArray) -> IntArray:
    """One multinomial draw per row (capture pattern), vectorised."""
    probs = probs / probs.sum(axis=1, keepdims=True)
    return np.asarray(rng.multinomial(counts, probs), dtype=np.int64)


def sample(
    table: CaptureTable,
    iterations: int = 10000,
    burn_in: int = 2000,
    thin: int = 5,
    classes: int = 10,
    seed: int | None = None,
    alpha_prior: tuple[float, float] = (0.25, 0.25),
    draws_per_state: int = 10,
) -> LCMCRResult:
    """Run the Gibbs sampler and summarise the posterior of N (median and 2.5/97.5 percentiles)."""
    if burn_in >= iterations:
        raise ValidationError("burn_in must be smaller than iterations", field="burn_in")
    n = table.observed
    if n == 0:
        raise ValidationError("the capture table is empty", field="counts")
    rng = np.random.default_rng(seed)
    patterns = np.asarray(table.histories, dtype=np.float64)
    counts = np.asarray(table.counts, dtype=np.int64)
    k_lists = patterns.shape[1]
    a_alpha, b_alpha = alpha_prior
    # a dispersed start: classes begin different from one another, so the chain does not sit in the
    # homogeneous mode (starting every class at the independence model's values slows mixing badly)
    lam = np.clip(rng.beta(1.0, 1.0, size=(classes, k_lists)), 1e-6, 1 - 1e-6)
    alpha = 1.0
    sticks = rng.beta(1.0, alpha, size=classes)
    sticks[-1] = 1.0
    pi = sticks * np.concatenate(([1.0], np.cumprod(1.0 - sticks[:-1])))
    unobserved = n
    draws: list[int] = []
    for step in range(iterations):
        # 1. classes of observed individuals, aggregated by capture pattern
        logp = _class_loglik(patterns, lam) + np.log(np.maximum(pi, 1e-300))
        probs = np.exp(logp - logp.max(axis=1, keepdims=True))
        z_obs = _multinomial_rows(rng, counts, probs)
        # 2. classes of the unobserved individuals (all-zero pattern)
        log0 = np.log1p(-lam).sum(axis=1) + np.log(np.maximum(pi, 1e-300))
        p0 = np.exp(log0 - log0.max())
        z_zero = rng.multinomial(unobserved, p0 / p0.sum()) if unobserved else np.zeros(classes, dtype=np.int64)
        # 3. capture probabilities per class and list
        captured = z_obs.T @ patterns  # (classes, lists)
        per_class = z_obs.sum(axis=0) + z_zero
        lam = rng.beta(1.0 + captured, 1.0 + per_class[:, None] - captured)
        lam = np.clip(lam, 1e-10, 1.0 - 1e-10)
        # 4. stick-breaking weights and the concentration parameter
        tail = np.concatenate((np.cumsum(per_class[::-1])[::-1][1:], [0]))
        sticks = rng.beta(1.0 + per_class, alpha + tail)
        sticks[-1] = 1.0
        sticks = np.clip(sticks, 1e-12, 1.0)
        pi = sticks * np.concatenate(([1.0], np.cumprod(1.0 - sticks[:-1])))
        log_rest = np.log1p(-np.minimum(sticks[:-1], 1.0 - 1e-12)).sum()
        alpha = rng.gamma(a_alpha + classes - 1, 1.0 / (b_alpha - log_rest))
        # 5. N - n | rest ~ NegBin(n, 1 - p0) under the prior p(N) ∝ 1/N
        miss = float(np.sum(pi * np.exp(np.log1p(-lam).sum(axis=1))))
        miss = min(max(miss, 1e-12), 1.0 - 1e-12)
        unobserved = int(rng.negative_binomial(n, 1.0 - miss))
        if step >= burn_in and (step - burn_in) % thin == 0:
            # Rao-Blackwellised: several draws of N from its conditional given this state, not just the one
            # that drives the chain, so the interval's tails are estimated from a smoother distribution
            extra = rng.negative_binomial(n, 1.0 - miss, size=draws_per_state - 1)
            draws.extend([n + unobserved, *(n + extra).tolist()])
    samples = np.asarray(draws, dtype=np.int64)
    lower, median, upper = np.percentile(samples, [2.5, 50.0, 97.5])
    warnings = []
    if any(size < 30 for size in table.list_sizes().values()):
        warnings.append("a list holds fewer than 30 individuals: the posterior is driven by the prior")
    if upper > 10 * n:
        warnings.append("the posterior's upper bound exceeds ten times the documented total")
    return LCMCRResult(
        table=table,
        estimate=float(median),
        interval=(float(lower), float(upper)),
        mean=float(samples.mean()),
        samples=samples,
        settings={
            "classes": classes,
            "iterations": iterations,
            "burn_in": burn_in,
            "thin": thin,
            "seed": seed,
            "alpha_prior": list(alpha_prior),
            "draws_per_state": draws_per_state,
        },
        warnings=warnings,
    )
