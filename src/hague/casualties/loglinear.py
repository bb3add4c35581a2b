"""Multiple systems estimation with hierarchical log-linear models (Fienberg 1972; Rcapture's closedpMS.t).

The observed capture-history table (2^k - 1 cells) is fitted by Poisson regression; the unobserved cell
is exp(intercept). Every hierarchical model up to `max_order` is fitted (a fast batched IRLS for the
search, statsmodels' GLM for the reported models), ranked by AIC or BIC, and averaged with Akaike
weights. Intervals are the multinomial profile-likelihood intervals of Cormack (1992), as in Rcapture.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize, special

from hague.errors import ValidationError

Term = frozenset[int]
FloatArray = npt.NDArray[np.float64]
CHI2_95 = 3.841458820694124


@dataclass(frozen=True)
class CaptureTable:
    """Counts of each observed capture history over `lists` (the all-zero history is not observable)."""

    lists: tuple[str, ...]
    histories: tuple[tuple[int, ...], ...]
    counts: tuple[int, ...]

    @classmethod
    def from_counts(cls, lists: Sequence[str], table: dict[tuple[int, ...], int]) -> CaptureTable:
        """Build from a mapping history -> count; missing observable histories count zero."""
        k = len(lists)
        if not 2 <= k <= 6:
            raise ValidationError("multiple systems estimation needs between 2 and 6 lists", field="lists")
        for history, count in table.items():
            if len(history) != k or any(v not in (0, 1) for v in history):
                raise ValidationError("capture histories must be 0/1 for every list", field="history")
            if count < 0:
                raise ValidationError("counts must not be negative", field="count")
            if not any(history) and count:
                raise ValidationError("the all-zero history cannot be observed", field="history")
        histories = tuple(h for h in itertools.product((0, 1), repeat=k) if any(h))
        return cls(tuple(lists), histories, tuple(int(table.get(h, 0)) for h in histories))

    @property
    def observed(self) -> int:
        """Number of distinct individuals seen by at least one list."""
        return sum(self.counts)

    def list_sizes(self) -> dict[str, int]:
        """How many individuals each list saw."""
        return {
            name: sum(c for h, c in zip(self.histories, self.counts, strict=True) if h[j])
            for j, name in enumerate(self.lists)
        }

    def overlap(self) -> list[dict[str, Any]]:
        """The overlap table: one row per observable history with its count."""
        return [
            {**{name: h[j] for j, name in enumerate(self.lists)}, "count": c}
            for h, c in zip(self.histories, self.counts, strict=True)
        ]


@dataclass
class ModelFit:
    """One fitted log-linear model: its interaction terms and what it says about the population."""

    terms: tuple[Term, ...]
    k: int
    loglik: float
    deviance: float
    df: int
    n_params: int
    unobserved: float
    estimate: float
    aic: float
    bic: float
    converged: bool
    interval: tuple[float, float] | None = None
    weight: float = 0.0

    @property
    def name(self) -> str:
        """Rcapture-style name: `[12,3]` lists the maximal terms (1-based)."""
        return model_name(self.terms, self.k)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "model": self.name,
            "estimate": round(self.estimate, 3),
            "unobserved": round(self.unobserved, 3),
            "interval": None if self.interval is None else [round(v, 3) for v in self.interval],
            "deviance": round(self.deviance, 4),
            "df": self.df,
            "aic": round(self.aic, 4),
            "bic": round(self.bic, 4),
            "weight": round(self.weight, 6),
            "converged": self.converged,
        }


@dataclass
class LogLinearResult:
    """The outcome of a model search: the selected model, the averaged estimate, and every model tried."""

    table: CaptureTable
    criterion: str
    selected: ModelFit
    averaged_estimate: float
    averaged_interval: tuple[float, float]
    models: list[ModelFit]
    warnings: list[str] = field(default_factory=list)


def model_name(terms: Sequence[Term], k: int) -> str:
    """Name a hierarchical model by its generators, e.g. `[12,3]` (independence is `[1,2,3]`)."""
    maximal = [t for t in terms if not any(t < other for other in terms)]
    covered = set().union(*maximal) if maximal else set()
    generators = sorted((tuple(sorted(t)) for t in maximal), key=lambda t: (-len(t), t))
    generators += [(j,) for j in range(k) if j not in covered]
    return "[" + ",".join("".join(str(j + 1) for j in g) for g in generators) + "]"


def hierarchical_models(k: int, max_order: int | None = None) -> list[tuple[Term, ...]]:
    """Every hierarchical model with all main effects and interactions of order 2..max_order (default k-1)."""
    return list(_hierarchical_models(k, k - 1 if max_order is None else max_order))


@functools.lru_cache(maxsize=16)
def _hierarchical_models(k: int, max_order: int) -> tuple[tuple[Term, ...], ...]:
    if not 1 <= max_order <= k - 1:
        raise ValidationError(f"max_order must be between 1 and {k - 1}", field="max_order")
    candidates = [frozenset(c) for r in range(2, max_order + 1) for c in itertools.combinations(range(k), r)]
    models: list[tuple[Term, ...]] = []

    def extend(index: int, chosen: list[Term], chosen_set: set[Term]) -> None:
        if index == len(candidates):
            models.append(tuple(chosen))
            return
        extend(index + 1, chosen, chosen_set)
        term = candidates[index]
        if len(term) == 2 or all(term - {j} in chosen_set for j in term):
            chosen.append(term)
            chosen_set.add(term)
            extend(index + 1, chosen, chosen_set)
            chosen.pop()
            chosen_set.discard(term)

    extend(0, [], set())
    return tuple(models)


def design(histories: Sequence[Sequence[int]], k: int, terms: Sequence[Term]) -> FloatArray:
    """Design matrix: intercept, one column per list, one per interaction term (product of indicators)."""
    h = np.asarray(histories, dtype=np.float64)
    columns = [np.ones(len(h))] + [h[:, j] for j in range(k)]
    columns += [np.prod(h[:, sorted(t)], axis=1) for t in terms]
    return np.column_stack(columns)


def _poisson_loglik(y: FloatArray, mu: FloatArray) -> FloatArray:
    safe = np.where(y > 0, y * np.log(np.maximum(mu, 1e-300)), 0.0)
    return np.asarray((safe - mu - special.gammaln(y + 1)).sum(axis=-1), dtype=np.float64)


def fit_batch(y: FloatArray, designs: FloatArray, iterations: int = 60, tol: float = 1e-10) -> tuple[FloatArray, ...]:
    """Fit many Poisson log-linear models at once by IRLS; `designs` is (models, cells, params), zero-padded."""
    n_models, _, p = designs.shape
    pad = np.all(designs == 0, axis=1)  # (models, params): padding columns get a unit ridge
    ridge = np.einsum("mp,pq->mpq", pad.astype(np.float64), np.eye(p))
    mu = np.broadcast_to(y + 0.5, (n_models, len(y))).copy()
    eta = np.log(mu)
    beta = np.zeros((n_models, p))
    previous = np.full(n_models, np.inf)
    converged = np.zeros(n_models, dtype=bool)
    for _ in range(iterations):
        z = eta + (y - mu) / mu
        xtw = designs.transpose(0, 2, 1) * mu[:, None, :]
        lhs = xtw @ designs + ridge + 1e-12 * np.eye(p)
        rhs = np.einsum("mpc,mc->mp", xtw, z)
        beta = np.linalg.solve(lhs, rhs[..., None])[..., 0]
        eta = np.clip(np.einsum("mcp,mp->mc", designs, beta), -50.0, 50.0)
        mu = np.exp(eta)
        loglik = _poisson_loglik(y, mu)
        converged = np.abs(loglik - previous) < tol * (1.0 + np.abs(loglik))
        if converged.all():
            break
        previous = loglik
    return beta, mu, _poisson_loglik(y, mu), converged


def _saturated_loglik(y: FloatArray) -> float:
    return float(_poisson_loglik(y, np.maximum(y, 1e-300)))


def fit_models(table: CaptureTable, models: Sequence[tuple[Term, ...]]) -> list[ModelFit]:
    """Fit every model in `models` to `table` (batched IRLS; models are grouped by size)."""
    k = len(table.lists)
    y = np.asarray(table.counts, dtype=np.float64)
    n = float(y.sum())
    saturated = _saturated_loglik(y)
    fits: list[ModelFit] = []
    # every term's column is computed once; a model's design is a selection of columns
    all_terms = sorted({t for terms in models for t in terms}, key=lambda t: (len(t), sorted(t)))
    columns = design(table.histories, k, all_terms)
    position = {t: 1 + k + i for i, t in enumerate(all_terms)}
    by_size: dict[int, list[tuple[Term, ...]]] = {}
    for terms in models:
        by_size.setdefault(len(terms), []).append(terms)
    for size, group in sorted(by_size.items()):
        for start in range(0, len(group), 2048):
            chunk = group[start : start + 2048]
            index = np.asarray([list(range(1 + k)) + [position[t] for t in terms] for terms in chunk], dtype=np.intp)
            designs = np.ascontiguousarray(columns[:, index].transpose(1, 0, 2))
            beta, _, loglik, converged = fit_batch(y, designs)
            p = 1 + k + size
            for i, terms in enumerate(chunk):
                unobserved = float(np.exp(min(beta[i, 0], 50.0)))
                ll = float(loglik[i])
                fits.append(
                    ModelFit(
                        terms=terms,
                        k=k,
                        loglik=ll,
                        deviance=max(2.0 * (saturated - ll), 0.0),
                        df=len(y) - p,
                        n_params=p,
                        unobserved=unobserved,
                        estimate=n + unobserved,
                        aic=-2.0 * ll + 2.0 * p,
                        bic=-2.0 * ll + math.log(n) * p if n > 0 else math.inf,
                        converged=bool(converged[i]),
                    )
                )
    return fits


def profile_loglik(table: CaptureTable, terms: Sequence[Term], total: float) -> float:
    """Multinomial log-likelihood of the model profiled at population size `total` (Cormack 1992)."""
    k = len(table.lists)
    n = table.observed
    zero = max(total - n, 0.0)
    histories = [(0,) * k, *table.histories]
    y = np.asarray([zero, *table.counts], dtype=np.float64)
    x = design(histories, k, terms)[None]
    _, mu, _, _ = fit_batch(y, x)
    mu0 = mu[0]
    # Poisson kernel with a real-valued unobserved cell, plus the multinomial's combinatorial terms.
    kernel = float(np.sum(np.where(y > 0, y * np.log(np.maximum(mu0, 1e-300)), 0.0))) - total * math.log(total)
    return (
        kernel
        + float(special.gammaln(total + 1) - special.gammaln(zero + 1))
        - float(np.sum(special.gammaln(np.asarray(table.counts, dtype=np.float64) + 1)))
    )


def profile_interval(table: CaptureTable, fit: ModelFit, level_chi2: float = CHI2_95) -> tuple[float, float]:
    """Profile-likelihood interval for N: all N with 2 (max - profile(N)) <= chi2(1) quantile."""
    n = float(table.observed)
    terms = fit.terms
    grid_best = max(fit.estimate, n)

    def drop(total: float) -> float:
        return profile_loglik(table, terms, total)

    best = optimize.minimize_scalar(
        lambda t: -drop(t), bounds=(n, max(grid_best * 3.0, n + 10.0)), method="bounded", options={"xatol": 1e-6}
    )
    top_at = float(best.x)
    top = -float(best.fun)
    if drop(grid_best) > top:
        top_at, top = grid_best, drop(grid_best)

    def gap(total: float) -> float:
        return 2.0 * (top - drop(total)) - level_chi2

    lower = n if gap(n) <= 0 else float(optimize.brentq(gap, n, top_at, xtol=1e-6))
    upper_bound = max(top_at * 2.0, top_at + 10.0)
    while gap(upper_bound) < 0:
        upper_bound *= 2.0
        if upper_bound > 1e9:
            return lower, math.inf
    upper = float(optimize.brentq(gap, top_at, upper_bound, xtol=1e-6))
    return lower, upper


def search(
    table: CaptureTable,
    criterion: str = "aic",
    max_order: int | None = None,
    intervals_for: int = 5,
) -> LogLinearResult:
    """Fit all hierarchical models, select by AIC or BIC, average with Akaike/Schwarz weights."""
    if criterion not in ("aic", "bic"):
        raise ValidationError("criterion must be aic or bic", field="criterion")
    k = len(table.lists)
    if table.observed == 0:
        raise ValidationError("the capture table is empty", field="counts")
    if max_order is None:
        max_order = k - 1 if k <= 5 else 2
    fits = [f for f in fit_models(table, hierarchical_models(k, max_order)) if math.isfinite(f.estimate)]
    usable = [f for f in fits if f.converged and f.unobserved < 1e6 * max(table.observed, 1)] or fits
    scores = np.array([getattr(f, criterion) for f in usable])
    weights = np.exp(-0.5 * (scores - scores.min()))
    weights /= weights.sum()
    for f, w in zip(usable, weights, strict=True):
        f.weight = float(w)
    usable.sort(key=lambda f: getattr(f, criterion))
    for f in usable[:intervals_for]:
        f.interval = profile_interval(table, f)
    selected = usable[0]
    averaged = float(sum(f.weight * f.estimate for f in usable))
    averaged_interval = _averaged_interval(usable, averaged, float(table.observed))
    return LogLinearResult(
        table=table,
        criterion=criterion,
        selected=selected,
        averaged_estimate=averaged,
        averaged_interval=averaged_interval,
        models=usable,
        warnings=diagnose(table, selected),
    )


def _averaged_interval(fits: Sequence[ModelFit], averaged: float, observed: float) -> tuple[float, float]:
    """Buckland et al. (1997) unconditional interval; each model's variance from its profile interval width."""
    spread = 0.0
    for f in fits:
        if f.weight < 1e-6:
            continue
        if f.interval is not None and math.isfinite(f.interval[1]):
            sd = (f.interval[1] - f.interval[0]) / (2 * 1.959963984540054)
        else:
            sd = math.sqrt(max(f.unobserved, 1.0) * (1.0 + f.unobserved / max(observed, 1.0)))
        spread += f.weight * math.sqrt(sd**2 + (f.estimate - averaged) ** 2)
    return max(observed, averaged - 1.959963984540054 * spread), averaged + 1.959963984540054 * spread


def diagnose(table: CaptureTable, selected: ModelFit) -> list[str]:
    """Warnings an analyst must read before quoting an estimate."""
    warnings: list[str] = []
    sizes = table.list_sizes()
    for name, size in sizes.items():
        if size < 30:
            warnings.append(f"list {name} holds only {size} individuals: estimates will be unstable")
    k = len(table.lists)
    for a, b in itertools.combinations(range(k), 2):
        cells = np.zeros((2, 2))
        for h, c in zip(table.histories, table.counts, strict=True):
            cells[h[a], h[b]] += c
        if cells[1, 1] == 0:
            warnings.append(f"lists {table.lists[a]} and {table.lists[b]} share no individual")
            continue
        if cells[0, 0] == 0:
            continue
        ratio = cells[1, 1] * cells[0, 0] / max(cells[1, 0] * cells[0, 1], 0.5)
        if ratio > 10 or ratio < 0.1:
            warnings.append(
                f"lists {table.lists[a]} and {table.lists[b]} are strongly dependent "
                f"(odds ratio among the observed {ratio:.1f})"
            )
    zeros = sum(1 for c in table.counts if c == 0)
    if zeros > len(table.counts) // 3:
        warnings.append(f"{zeros} of {len(table.counts)} observable cells are empty: sparse table")
    if selected.estimate > 10 * table.observed:
        warnings.append("the estimate is more than ten times the documented total: treat it with great caution")
    if not selected.converged:
        warnings.append("the selected model did not converge (parameters on the boundary)")
    return warnings


def statsmodels_fit(table: CaptureTable, terms: Sequence[Term]) -> dict[str, float]:
    """The same model fitted with statsmodels' Poisson GLM; standard error as Rcapture's (Rivest 2011).

    Var(N) = n0^2 Var(intercept) + n0, with n0 = exp(intercept) the estimated unobserved count.
    """
    import warnings

    import statsmodels.api as sm

    k = len(table.lists)
    x = design(table.histories, k, terms)
    y = np.asarray(table.counts, dtype=np.float64)
    with warnings.catch_warnings():
        # saturated models have no residual degrees of freedom; boundary fits warn of separation
        warnings.simplefilter("ignore")
        result = sm.GLM(y, x, family=sm.families.Poisson()).fit()
        variance = float(result.cov_params()[0, 0])
    unobserved = float(np.exp(result.params[0]))
    stderr = math.sqrt(unobserved**2 * variance + unobserved)
    return {
        "estimate": table.observed + unobserved,
        "unobserved": unobserved,
        "stderr": stderr,
        "deviance": float(result.deviance),
        "aic": float(result.aic),
    }
