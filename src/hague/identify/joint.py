"""Joint identification of several missing persons of one family among several remains (as R's dvir).

An assignment maps each missing person to one remains sample or to nobody, each remains used at most
once and never across sexes. Its likelihood is the exact joint likelihood of the family's references and
all remains (assigned remains placed in the pedigree, the others unrelated founders); LR is against the
null assignment (nobody identified) and posteriors assume a flat prior over the assignments searched.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hague.errors import ValidationError
from hague.identify.frequencies import FrequencyTable
from hague.identify.likelihood import Data, likelihood, marker_model
from hague.identify.mutation import MutationModel
from hague.identify.pedigree import Pedigree, Person
from hague.identify.profiles import Profile
from hague.identify.screening import Family
from hague.identify.statistics import as_missing_person, family_data, pair_lr

DEFAULT_MAX_ASSIGNMENTS = 20_000


@dataclass
class Assignment:
    """Missing person -> remains sample (or None), with its log10 likelihood, log10 LR and posterior."""

    pairs: dict[str, str | None]
    log10_likelihood: float
    log10_lr: float = 0.0
    posterior: float = 0.0

    @property
    def identified(self) -> int:
        """How many missing persons this assignment identifies."""
        return sum(1 for r in self.pairs.values() if r is not None)


@dataclass
class JointResult:
    """All consistent assignments, most likely first."""

    family: str
    missing_persons: list[str]
    remains: list[str]
    assignments: list[Assignment] = field(default_factory=list)
    pruned_pairs: list[tuple[str, str]] = field(default_factory=list)


def _sex_ok(mp_sex: str, remains_sex: str) -> bool:
    return "unknown" in (mp_sex, remains_sex) or mp_sex == remains_sex


def _enumerate(mps: list[str], options: dict[str, list[str]]) -> list[dict[str, str | None]]:
    out: list[dict[str, str | None]] = []

    def go(i: int, used: set[str], current: dict[str, str | None]) -> None:
        if i == len(mps):
            out.append(dict(current))
            return
        mp = mps[i]
        for r in [None, *options[mp]]:
            if r is not None and r in used:
                continue
            current[mp] = r
            go(i + 1, used | ({r} if r else set()), current)

    go(0, set(), {})
    return out


def _augmented(ped: Pedigree, unassigned: list[str]) -> Pedigree:
    return Pedigree(ped.family_id, [*ped.persons, *(Person(f"__R__{r}") for r in unassigned)])


def joint_search(
    family: Family,
    remains: Sequence[Profile],
    table: FrequencyTable,
    *,
    sexes: Mapping[str, str] | None = None,
    mutation: Mapping[str, MutationModel] | None = None,
    theta: float = 0.0,
    max_assignments: int = DEFAULT_MAX_ASSIGNMENTS,
) -> JointResult:
    """Enumerate assignments of the family's missing persons to `remains` and rank them by likelihood.

    Pairs that a single search excludes outright (LR = 0) or that clash on sex are pruned first, as dvir does.
    """
    ped = family.pedigree
    mps = ped.missing
    if not mps:
        raise ValidationError(f"family {ped.family_id} has no missing person", field="family")
    ids = [r.sample_id for r in remains]
    if len(set(ids)) != len(ids):
        raise ValidationError("a remains sample is listed twice", field="remains")
    by_id = {r.sample_id: r for r in remains}
    sexes = sexes or {}
    options: dict[str, list[str]] = {}
    result = JointResult(ped.family_id, mps, ids)
    for mp in mps:
        options[mp] = []
        for r in ids:
            if not _sex_ok(ped.person(mp).sex, sexes.get(r, "unknown")):
                result.pruned_pairs.append((mp, r))
                continue
            single = pair_lr(ped, mp, family.references, by_id[r], table, mutation, theta)
            if single.log10_lr == -math.inf:
                result.pruned_pairs.append((mp, r))
                continue
            options[mp].append(r)
    count = 1
    for mp in mps:
        count *= len(options[mp]) + 1
    if count > max_assignments:
        raise ValidationError(
            f"up to {count} assignments to search, above the limit of {max_assignments}: screen first or narrow "
            "the remains",
            field="max_assignments",
        )
    observed: dict[str, set[str]] = {}
    for profile in [*remains, *family.references.values()]:
        for m, alleles in profile.alleles().items():
            observed.setdefault(m, set()).update(alleles)
    table = table.with_alleles(observed)
    markers = [m for m in table.markers if m in observed]
    models = {m: marker_model(table, m, (mutation or {}).get(m), theta) for m in markers}
    refs = {m: family_data(ped, family.references, m) for m in markers}
    for pairs in _enumerate(mps, options):
        assigned = {r for r in pairs.values() if r is not None}
        unassigned = [r for r in ids if r not in assigned]
        tree = _augmented(ped, unassigned)
        total = 0.0
        for m in markers:
            data: Data = dict(refs[m])
            for mp, chosen in pairs.items():
                if chosen is not None and m in by_id[chosen].genotypes:
                    data = as_missing_person(data, mp, by_id[chosen].genotypes[m])
            for other in unassigned:
                if m in by_id[other].genotypes:
                    data[f"__R__{other}"] = by_id[other].genotypes[m]
            lik = likelihood(tree, models[m], data)
            if lik == 0:
                total = -math.inf
                break
            total += math.log10(lik)
        result.assignments.append(Assignment(pairs, total))
    null = next(a for a in result.assignments if a.identified == 0)
    if null.log10_likelihood == -math.inf:
        raise ValidationError(f"family {ped.family_id}: the references are inconsistent with each other")
    best = max(a.log10_likelihood for a in result.assignments)
    norm = sum(10 ** (a.log10_likelihood - best) for a in result.assignments)
    for a in result.assignments:
        a.log10_lr = a.log10_likelihood - null.log10_likelihood
        a.posterior = 10 ** (a.log10_likelihood - best) / norm
    result.assignments = [a for a in result.assignments if a.log10_likelihood > -math.inf]
    result.assignments.sort(key=lambda a: (-a.log10_likelihood, sorted((k, v or "") for k, v in a.pairs.items())))
    return result
