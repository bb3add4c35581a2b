"""Exact pedigree likelihoods for one STR marker, by variable elimination (peeling) over allele variables.

Each person carries two variables, the paternal and the maternal allele. Founder alleles are drawn from the
population (jointly by the Balding–Nichols urn when theta > 0); a child's paternal allele is one of the
father's two alleles, each with probability 1/2, passed through the mutation matrix. Eliminating every
variable but the missing person's gives P(data, MP alleles) exactly, for any pedigree, loops included
(Elston–Stewart peeling is the special case of this elimination order on loopless pedigrees).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hague.errors import ValidationError
from hague.identify.frequencies import FrequencyTable
from hague.identify.mutation import MutationModel
from hague.identify.pedigree import Pedigree
from hague.identify.profiles import Genotype

Array = NDArray[np.float64]
# what was observed of one person at one marker: a genotype, or several (a personal-effect reference of a
# missing person and the remains tested as that person are two observations of the same individual)
Observation = Genotype | list[Genotype]
Data = dict[str, Observation]
LUMP = "*"
MAX_THETA_TENSOR = 500_000  # founder-allele states enumerated for theta (memory ~ states x alleles)


@dataclass(frozen=True)
class MarkerModel:
    """One marker's population model: alleles, frequencies, optional mutation model, theta (Fst)."""

    name: str
    alleles: tuple[str, ...]
    freqs: Array = field(compare=False)
    mutation: MutationModel | None = None
    theta: float = 0.0

    def __post_init__(self) -> None:
        if not 0 <= self.theta < 1:
            raise ValidationError("theta must be in [0, 1)", field="theta")

    @cached_property
    def index(self) -> dict[str, int]:
        """Allele designation to position."""
        return {a: i for i, a in enumerate(self.alleles)}

    @cached_property
    def transmission(self) -> Array:
        """The full mutation matrix (identity without a model)."""
        if self.mutation is None:
            return np.eye(len(self.alleles))
        return self.mutation.matrix(list(self.alleles), self.freqs)

    @property
    def lumpable(self) -> bool:
        """Alleles unseen in the data may be merged (no mutation, or the proportional model)."""
        return self.mutation is None or self.mutation.lumpable

    def lumped(self, observed: set[str]) -> tuple[list[str], Array, Array]:
        """Alleles, frequencies and transmission matrix with every unobserved allele merged into `*`."""
        keep = [a for a in self.alleles if a in observed]
        if not self.lumpable or len(keep) >= len(self.alleles) - 1:
            return list(self.alleles), self.freqs, self.transmission
        p = np.array([self.freqs[self.index[a]] for a in keep])
        p = np.append(p, max(0.0, 1.0 - float(p.sum())))
        if self.mutation is None or self.mutation.rate == 0:
            return [*keep, LUMP], p, np.eye(len(p))
        # proportional model: M = (1 - alpha) I + alpha 1 p^T, with alpha from the full allele set
        alpha = self.mutation.rate / float(np.sum(self.freqs * (1 - self.freqs)))
        return [*keep, LUMP], p, (1 - alpha) * np.eye(len(p)) + alpha * np.tile(p, (len(p), 1))


def marker_model(
    table: FrequencyTable, marker: str, mutation: MutationModel | None = None, theta: float = 0.0
) -> MarkerModel:
    """The model of `marker` from a frequency table."""
    alleles = tuple(table.alleles(marker))
    freqs = np.array([table.markers[marker][a] for a in alleles])
    return MarkerModel(marker, alleles, freqs / freqs.sum(), mutation, theta)


Factor = tuple[tuple[int, ...], Array]


def balding_nichols(counts_before: Array, freqs: Array, theta: float, drawn: int) -> Array:
    """P(next founder allele = a | alleles drawn so far), the Balding–Nichols sampling formula."""
    return (counts_before * theta + (1 - theta) * freqs) / (1 + (drawn - 1) * theta)


def _theta_founder_factor(domains: list[NDArray[np.int64]], freqs: Array, theta: float) -> Array:
    """Joint probability of founder alleles under the Balding–Nichols urn, over each allele's domain."""
    k = len(freqs)
    size = int(np.prod([len(d) for d in domains], dtype=np.float64))
    if size > MAX_THETA_TENSOR:
        raise ValidationError(
            f"theta correction enumerates founder alleles: {size} states is too many for this pedigree",
            field="theta",
        )
    joint = np.ones(())
    counts = np.zeros(k)  # counts[a1..ad, a]: how often allele a occurs among the first d draws
    for drawn, dom in enumerate(domains):
        joint = joint[..., None] * balding_nichols(counts[..., dom], freqs[dom], theta, drawn)
        onehot = np.eye(k)[dom].reshape([1] * drawn + [len(dom), k])
        counts = counts[..., None, :] + onehot
    return joint


def _evidence(geno: Genotype, index: dict[str, int], k: int) -> Array:
    """P(observation | ordered alleles x, y): an indicator, with a drop-out matching any partner allele."""
    a, b = geno
    e = np.zeros((k, k))
    ia = index[a] if a in index else index[LUMP]
    if b is None:
        e[ia, :] = 1
        e[:, ia] = 1
        return e
    ib = index[b] if b in index else index[LUMP]
    e[ia, ib] = 1
    e[ib, ia] = 1
    return e


def _relevant(ped: Pedigree, keep: set[str]) -> list[str]:
    """Persons that matter: the typed and the target, and all their ancestors (the rest sum to one)."""
    wanted: set[str] = set()
    stack = list(keep)
    while stack:
        pid = stack.pop()
        if pid in wanted:
            continue
        wanted.add(pid)
        p = ped.person(pid)
        stack.extend(x for x in (p.father, p.mother) if x is not None)
    return [p.id for p in ped.persons if p.id in wanted]


def ancestors(ped: Pedigree, pid: str) -> set[str]:
    """All ancestors of a person."""
    out: set[str] = set()
    stack = [pid]
    while stack:
        p = ped.person(stack.pop())
        for parent in (p.father, p.mother):
            if parent is not None and parent not in out:
                out.add(parent)
                stack.append(parent)
    return out


def is_inbred(ped: Pedigree, pid: str) -> bool:
    """True if the person's parents share an ancestor (or one descends from the other)."""
    p = ped.person(pid)
    if p.father is None or p.mother is None:
        return False
    fa = ancestors(ped, p.father) | {p.father}
    mo = ancestors(ped, p.mother) | {p.mother}
    return bool(fa & mo)


def genotypes_of(obs: Observation | None) -> list[Genotype]:
    """The observations of one person as a list."""
    if obs is None:
        return []
    return obs if isinstance(obs, list) else [obs]


def observed_alleles(data: Data) -> set[str]:
    """Every allele seen in the data."""
    return {a for obs in data.values() for g in genotypes_of(obs) for a in g if a is not None}


def _domains(persons: list[str], data: Data, index: dict[str, int], k: int) -> list[NDArray[np.int64] | None]:
    """Possible alleles per variable (None: all): a fully typed person's two alleles can only be their own
    (genotype elimination), which keeps the theta enumeration and every factor small."""
    out: list[NDArray[np.int64] | None] = []
    for pid in persons:
        allowed: set[int] | None = None
        for geno in genotypes_of(data.get(pid)):
            if geno[1] is not None:
                own = {index.get(geno[0], k - 1), index.get(geno[1], k - 1)}
                allowed = own if allowed is None else allowed & own
        dom = None if allowed is None else np.array(sorted(allowed), dtype=np.int64)
        out += [dom, dom]
    return out


BATCH = -1  # variable indexing several transmission models computed in one elimination


def _factors(
    ped: Pedigree, persons: list[str], data: Data, alleles: list[str], p: Array, muts: list[Array], theta: float
) -> tuple[list[Factor], dict[str, int], list[NDArray[np.int64] | None]]:
    pos = {pid: i for i, pid in enumerate(persons)}
    index = {a: i for i, a in enumerate(alleles)}
    k = len(alleles)
    dom = _domains(persons, data, index, k)
    # T[a, x, y]: child allele a from a parent with alleles (x, y); with several models, T[b, a, x, y]
    trans = np.stack([0.5 * (m.T[:, :, None] + m.T[:, None, :]) for m in muts])
    factors: list[Factor] = []
    founder_vars: list[int] = []

    full = np.arange(k)

    def add(variables: tuple[int, ...], table: Array) -> None:
        if all(dom[v] is None for v in variables):
            factors.append((variables, table))
        else:
            picks = [full if (d := dom[v]) is None else d for v in variables]
            factors.append((variables, table[np.ix_(*picks)]))

    def add_trans(variables: tuple[int, int, int]) -> None:
        if len(muts) == 1:
            add(variables, trans[0])
            return
        picks = [full if (d := dom[v]) is None else d for v in variables]
        where: tuple[Any, ...] = (slice(None), *np.ix_(*picks))
        factors.append(((BATCH, *variables), trans[where]))

    for pid in persons:
        person, i = ped.person(pid), pos[pid]
        if person.father is None or person.mother is None:
            founder_vars += [2 * i, 2 * i + 1]
        else:
            f, m = pos[person.father], pos[person.mother]
            add_trans((2 * i, 2 * f, 2 * f + 1))
            add_trans((2 * i + 1, 2 * m, 2 * m + 1))
        for geno in genotypes_of(data.get(pid)):
            add((2 * i, 2 * i + 1), _evidence(geno, index, k))
    if theta > 0 and founder_vars:
        domains = [full if (d := dom[v]) is None else d for v in founder_vars]
        factors.append((tuple(founder_vars), _theta_founder_factor(domains, p, theta)))
    else:
        factors += [((v,), p if (d := dom[v]) is None else p[d]) for v in founder_vars]
    return factors, pos, dom


_ORDERS: dict[tuple[tuple[tuple[int, ...], ...], tuple[int, ...]], list[int]] = {}


def _order(factors: list[Factor], keep: tuple[int, ...]) -> list[int]:
    """Greedy elimination order (smallest product of domain sizes first), cached per factor structure."""
    key = (tuple(vs for vs, _ in factors), keep)
    cached = _ORDERS.get(key)
    if cached is not None:
        return cached
    size = {v: n for vs, arr in factors for v, n in zip(vs, arr.shape, strict=True)}
    scopes = [set(vs) for vs, _ in factors]
    variables = set(size) - set(keep)
    order: list[int] = []
    while variables:
        best = min(variables, key=lambda v: math.prod(size[u] for u in set().union(*(s for s in scopes if v in s))))
        merged = set().union(*(s for s in scopes if best in s)) - {best}
        scopes = [s for s in scopes if best not in s] + [merged]
        variables.discard(best)
        order.append(best)
    if len(_ORDERS) > 10_000:
        _ORDERS.clear()
    _ORDERS[key] = order
    return order


def _eliminate(factors: list[Factor], keep: tuple[int, ...], k: int) -> Array:
    """Sum out every variable not in `keep` in a greedy order; returns a tensor over `keep`."""
    factors = list(factors)
    for best in _order(factors, keep):
        touching = [f for f in factors if best in f[0]]
        factors = [f for f in factors if best not in f[0]]
        out = tuple(sorted({u for vs, _ in touching for u in vs} - {best}))
        factors.append((out, _einsum(touching, out)))
    return _einsum(factors, keep) if factors else np.ones([k] * len(keep))


def _einsum(factors: list[Factor], out: tuple[int, ...]) -> Array:
    """Multiply factors two at a time (cheap, no path search), summing out what `out` does not keep."""
    vs, acc = factors[0]
    for i, (ws, arr) in enumerate(factors[1:], start=1):
        later = {u for us, _ in factors[i + 1 :] for u in us} | set(out)
        keep = tuple(dict.fromkeys(u for u in (*vs, *ws) if u in later))
        acc = _pair(vs, acc, ws, arr, keep)
        vs = keep
    if vs != out:
        acc = _pair(vs, acc, (), np.ones(()), out)
    return np.asarray(acc, dtype=np.float64)


def _pair(vs: tuple[int, ...], a: Array, ws: tuple[int, ...], b: Array, out: tuple[int, ...]) -> Array:
    labels: dict[int, int] = {}
    sub_a = [labels.setdefault(v, len(labels)) for v in vs]
    sub_b = [labels.setdefault(v, len(labels)) for v in ws]
    sub_out = [labels[v] for v in out]
    operands: list[Any] = [a, sub_a, b, sub_b, sub_out]
    return np.asarray(np.einsum(*operands), dtype=np.float64)


def _check(ped: Pedigree, data: Data) -> None:
    for pid in data:
        ped.person(pid)


def likelihood(ped: Pedigree, marker: MarkerModel, data: Data) -> float:
    """P(observed genotypes | pedigree) at one marker, exactly."""
    _check(ped, data)
    if not data:
        return 1.0
    observed = observed_alleles(data)
    alleles, p, mut = marker.lumped(observed)
    _require_known(marker, observed)
    persons = _relevant(ped, set(data))
    factors, _, _ = _factors(ped, persons, data, alleles, p, [mut], marker.theta)
    return float(_eliminate(factors, (), len(alleles)))


def joint_with_target(ped: Pedigree, marker: MarkerModel, data: Data, target: str) -> Array:
    """J[x, y] = P(data, target's paternal allele = x, maternal allele = y) over the marker's full allele list
    (a target with a personal-effect profile in `data` is constrained by it)."""
    return _joints(ped, marker, data, target, with_plain=False)[0]


def joint_and_plain(ped: Pedigree, marker: MarkerModel, data: Data, target: str) -> tuple[Array, Array]:
    """The joint under the marker's mutation model and without mutation (for exclusion counts), computed in
    one elimination whose transmission factors carry both models."""
    with_mut, plain = _joints(ped, marker, data, target, with_plain=True)
    return with_mut, plain


def _joints(ped: Pedigree, marker: MarkerModel, data: Data, target: str, with_plain: bool) -> list[Array]:
    _check(ped, data)
    observed = observed_alleles(data)
    _require_known(marker, observed)
    lump = marker.theta == 0 and not is_inbred(ped, target)
    alleles, p, mut = marker.lumped(observed) if lump else (list(marker.alleles), marker.freqs, marker.transmission)
    muts = [mut, np.eye(len(alleles))] if with_plain else [mut]
    persons = _relevant(ped, set(data) | {target})
    factors, pos, dom = _factors(ped, persons, data, alleles, p, muts, marker.theta)
    t = pos[target]
    keep = (BATCH, 2 * t, 2 * t + 1) if with_plain else (2 * t, 2 * t + 1)
    if with_plain and not any(BATCH in vs for vs, _ in factors):  # no transmission at all: both models agree
        keep = (2 * t, 2 * t + 1)
    stacked = _eliminate(factors, keep, len(alleles))
    if stacked.ndim == 2:
        stacked = np.stack([stacked] * len(muts))
    return [_expand(marker, alleles, p, dom[2 * t], joint) for joint in stacked]


def _expand(marker: MarkerModel, alleles: list[str], p: Array, dom: NDArray[np.int64] | None, joint: Array) -> Array:
    """Back to the marker's full allele grid: undo genotype elimination and allele lumping."""
    if dom is not None:  # a target typed by a personal effect
        grid = np.zeros((len(alleles), len(alleles)))
        grid[np.ix_(dom, dom)] = joint
        joint = grid
    if len(alleles) == len(marker.alleles):
        return joint
    # expand the merged allele: within `*`, each allele's share is its frequency (exact: see MarkerModel.lumped)
    index = {a: i for i, a in enumerate(alleles)}
    lumped_freq = p[-1]
    where = np.array([index.get(a, len(alleles) - 1) for a in marker.alleles])
    weight = np.array([1.0 if a in index else marker.freqs[i] / lumped_freq for i, a in enumerate(marker.alleles)])
    return np.asarray(joint[np.ix_(where, where)] * np.outer(weight, weight), dtype=np.float64)


def _require_known(marker: MarkerModel, observed: set[str]) -> None:
    unknown = observed - set(marker.alleles)
    if unknown:
        raise ValidationError(
            f"marker {marker.name}: allele(s) {', '.join(sorted(unknown))} missing from the frequency database "
            "(extend it with FrequencyTable.with_alleles)",
            field="allele",
        )


def unordered(joint: Array) -> Array:
    """U[i, j] = P(data, genotype {i, j}) from the ordered joint (symmetric; diagonal = homozygotes)."""
    u = joint + joint.T
    np.fill_diagonal(u, np.diag(joint))
    return u


def population_genotypes(freqs: Array) -> Array:
    """Hardy–Weinberg genotype probabilities: 2 p_i p_j off the diagonal, p_i^2 on it."""
    g = 2 * np.outer(freqs, freqs)
    np.fill_diagonal(g, freqs**2)
    return g
