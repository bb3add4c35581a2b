"""Bayesian non-parametric latent-class capture-recapture (LCMCR; Manrique-Vallier 2016, Biometrics 72).

Individuals fall in latent classes (truncated stick-breaking prior, K classes) within which lists
capture independently; heterogeneity and dependence between lists come from the mixture. The Gibbs
sampler augments the data with the N - n unobserved individuals, with the R package LCMCR's steps and priors
(Beta(1, 1) capture probabilities, Gamma(0.25, 0.25) concentration, p(N) ∝ 1/N). Several chains run side by
side: N mixes slowly when the likelihood is flat in N, and one short chain under-covers the posterior's tails.
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
    rhat: float = float("nan")
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "model": f"LCMCR (K={self.settings['classes']})",
            "estimate": round(self.estimate, 3),
            "interval": [round(v, 3) for v in self.interval],
            "posterior_mean": round(self.mean, 3),
            "settings": self.settings,
            "rhat": None if np.isnan(self.rhat) else round(self.rhat, 3),
            "warnings": self.warnings,
        }


def _weights(sticks: FloatArray) -> FloatArray:
    """Class weights of each chain (rows) from its stick-breaking fractions (the last stick is 1)."""
    rest = np.cumprod(1.0 - sticks[:, :-1], axis=1)
    return np.asarray(sticks * np.concatenate((np.ones((sticks.shape[0], 1)), rest), axis=1), dtype=np.float64)


def _split_rhat(states: FloatArray) -> float:
    """Split potential scale reduction (Gelman et al.) of N over the chains (rows): near 1 when they agree."""
    half = states.shape[1] // 2
    if half < 2:
        return float("nan")
    parts = np.concatenate((states[:, :half], states[:, half : 2 * half]), axis=0)
    within = parts.var(axis=1, ddof=1).mean()
    between = half * parts.mean(axis=1).var(ddof=1)
    if within <= 0:
        return 1.0
    return float(np.sqrt(((half - 1) / half * within + between / half) / within))


def sample(
    table: CaptureTable,
    iterations: int = 10000,
    burn_in: int = 2000,
    thin: int = 5,
    classes: int = 10,
    seed: int | None = None,
    alpha_prior: tuple[float, float] = (0.25, 0.25),
    draws_per_state: int = 10,
    chains: int = 4,
) -> LCMCRResult:
    """Run `chains` Gibbs chains of `iterations` steps side by side; summarise the pooled posterior of N.

    The chains advance together as arrays (one numpy call per step serves all of them), so four chains cost
    little more than one; they start from different random states, and their agreement (split R-hat) is checked.
    """
    if burn_in >= iterations:
        raise ValidationError("burn_in must be smaller than iterations", field="burn_in")
    if chains < 1 or thin < 1 or classes < 1 or draws_per_state < 1:
        raise ValidationError("chains, thin, classes and draws_per_state must be at least 1", field="chains")
    n = table.observed
    if n == 0:
        raise ValidationError("the capture table is empty", field="counts")
    rng = np.random.default_rng(seed)
    patterns = np.asarray(table.histories, dtype=np.float64)
    counts = np.broadcast_to(np.asarray(table.counts, dtype=np.int64), (chains, len(table.counts)))
    a_alpha, b_alpha = alpha_prior
    # dispersed starts: classes begin different from one another and from chain to chain, so no chain sits in
    # the homogeneous mode (starting every class at the independence model's values slows mixing badly)
    lam = np.clip(rng.beta(1.0, 1.0, size=(chains, classes, patterns.shape[1])), 1e-6, 1 - 1e-6)
    alpha = np.ones(chains)
    sticks = rng.beta(1.0, 1.0, size=(chains, classes))
    sticks[:, -1] = 1.0
    pi = _weights(sticks)
    unobserved = np.full(chains, n, dtype=np.int64)
    states: list[IntArray] = []
    draws: list[IntArray] = []
    for step in range(iterations):
        log_pi = np.log(np.maximum(pi, 1e-300))
        log_miss = np.log1p(-lam)  # (chains, classes, lists)
        log_zero = log_miss.sum(axis=2) + log_pi  # log P(class, seen by no list)
        # 1. classes of observed individuals, aggregated by capture pattern: (chains, patterns, classes)
        logp = np.matmul(patterns, (np.log(lam) - log_miss).transpose(0, 2, 1)) + log_zero[:, None, :]
        probs = np.exp(logp - logp.max(axis=2, keepdims=True))
        z_obs = rng.multinomial(counts, probs / probs.sum(axis=2, keepdims=True))
        # 2. classes of the unobserved individuals (all-zero pattern)
        p0 = np.exp(log_zero - log_zero.max(axis=1, keepdims=True))
        z_zero = rng.multinomial(unobserved, p0 / p0.sum(axis=1, keepdims=True))
        # 3. capture probabilities per class and list, Beta(1, 1) prior
        captured = np.matmul(z_obs.transpose(0, 2, 1), patterns)  # (chains, classes, lists)
        per_class = z_obs.sum(axis=1) + z_zero
        lam = np.clip(rng.beta(1.0 + captured, 1.0 + per_class[:, :, None] - captured), 1e-10, 1.0 - 1e-10)
        # 4. stick-breaking weights and the concentration parameter
        tail = np.cumsum(per_class[:, ::-1], axis=1)[:, ::-1] - per_class
        sticks = rng.beta(1.0 + per_class, alpha[:, None] + tail)
        sticks[:, -1] = 1.0
        sticks = np.clip(sticks, 1e-12, 1.0)
        pi = _weights(sticks)
        log_rest = np.log1p(-np.minimum(sticks[:, :-1], 1.0 - 1e-12)).sum(axis=1)
        alpha = rng.gamma(a_alpha + classes - 1, 1.0 / (b_alpha - log_rest))
        # 5. N - n | rest ~ NegBin(n, 1 - p0) under the prior p(N) ∝ 1/N
        miss = np.clip(np.sum(pi * np.exp(np.log1p(-lam).sum(axis=2)), axis=1), 1e-12, 1.0 - 1e-12)
        unobserved = rng.negative_binomial(n, 1.0 - miss)
        if step >= burn_in and (step - burn_in) % thin == 0:
            states.append(n + unobserved)
            draws.append(n + unobserved)
            if draws_per_state > 1:
                # Rao-Blackwellised: more draws of N from its conditional given this state, not just the one
                # that drives the chain, so the interval's tails come from a smoother distribution
                draws.append(n + rng.negative_binomial(n, np.repeat(1.0 - miss, draws_per_state - 1)))
    samples = np.concatenate(draws).astype(np.int64)
    rhat = _split_rhat(np.asarray(states, dtype=np.float64).T) if chains > 1 else float("nan")
    lower, median, upper = np.percentile(samples, [2.5, 50.0, 97.5])
    warnings = []
    if any(size < 30 for size in table.list_sizes().values()):
        warnings.append("a list holds fewer than 30 individuals: the posterior is driven by the prior")
    if upper > 10 * n:
        warnings.append("the posterior's upper bound exceeds ten times the documented total")
    if rhat > 1.1:
        warnings.append(f"the Gibbs chains disagree (split R-hat {rhat:.2f}): run more iterations")
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
            "chains": chains,
            "seed": seed,
            "alpha_prior": list(alpha_prior),
            "draws_per_state": draws_per_state,
        },
        rhat=rhat,
        warnings=warnings,
    )
