"""Identification LRs of one remains profile against one family, marker by marker, exactly.

H1: the remains are the missing person; H2: the remains are an unrelated member of the population.
LR = P(references, remains | H1) / P(references, remains | H2). With theta > 0 both hypotheses are
computed jointly (the remains' alleles join the founders' urn); without, H2 factorises.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from hague.errors import ValidationError
from hague.identify.frequencies import FrequencyTable
from hague.identify.likelihood import Data, MarkerModel, genotypes_of, likelihood, marker_model
from hague.identify.mutation import MutationModel
from hague.identify.pedigree import Pedigree, Person
from hague.identify.profiles import Genotype, Profile

REMAINS = "__remains__"


@dataclass
class MarkerLR:
    """One marker's LR and whether the remains are excluded there (impossible without mutation)."""

    marker: str
    lr: float
    excluded: bool


@dataclass
class PairResult:
    """LR of remains vs a missing person of a family, with the per-marker breakdown and exclusion count."""

    remains: str
    family: str
    missing_person: str
    log10_lr: float
    markers: list[MarkerLR] = field(default_factory=list)

    @property
    def exclusions(self) -> int:
        """Number of markers inconsistent with H1 (Mendelian incompatibilities)."""
        return sum(1 for m in self.markers if m.excluded)

    @property
    def lr(self) -> float:
        """The LR itself (may overflow to inf for very large values; use log10_lr)."""
        return 10**self.log10_lr if self.log10_lr < 308 else math.inf


def family_data(ped: Pedigree, references: Mapping[str, Profile], marker: str) -> Data:
    """Genotypes at `marker` of the pedigree's typed members, by person id."""
    out: Data = {}
    for person in ped.typed:
        assert person.sample is not None
        profile = references.get(person.sample)
        if profile is None:
            raise ValidationError(f"family {ped.family_id}: no profile for reference sample {person.sample}")
        if marker in profile.genotypes:
            out[person.id] = profile.genotypes[marker]
    return out


def with_remains(ped: Pedigree) -> Pedigree:
    """The pedigree plus the remains as an unrelated founder (the H2 pedigree)."""
    return Pedigree(ped.family_id, [*ped.persons, Person(REMAINS, sex="unknown")])


def as_missing_person(data: Data, mp: str, geno: Genotype) -> Data:
    """The data with `geno` observed on the missing person (next to a personal-effect profile, if any)."""
    return {**data, mp: [*genotypes_of(data.get(mp)), geno]}


def marker_lr(ped: Pedigree, mp: str, model: MarkerModel, data: Data, geno: Genotype) -> MarkerLR:
    """LR at one marker for the remains genotype `geno` placed as missing person `mp`."""
    h1 = likelihood(ped, model, as_missing_person(data, mp, geno))
    h2 = likelihood(with_remains(ped), model, {**data, REMAINS: geno})
    if h2 == 0:
        raise ValidationError(f"family {ped.family_id}: references are inconsistent at {model.name}")
    excluded = h1 == 0
    if model.mutation is not None and model.mutation.rate > 0:
        plain = MarkerModel(model.name, model.alleles, model.freqs, None, model.theta)
        excluded = likelihood(ped, plain, as_missing_person(data, mp, geno)) == 0
    return MarkerLR(model.name, h1 / h2, excluded)


def pair_lr(
    ped: Pedigree,
    mp: str,
    references: Mapping[str, Profile],
    remains: Profile,
    table: FrequencyTable,
    mutation: Mapping[str, MutationModel] | None = None,
    theta: float = 0.0,
) -> PairResult:
    """The identification LR of `remains` as missing person `mp`, over every marker both sides typed."""
    if not ped.person(mp).missing:
        raise ValidationError(f"{mp} is not a missing person of family {ped.family_id}", field="missing_person")
    observed: dict[str, set[str]] = {}
    for profile in [remains, *references.values()]:
        for m, alleles in profile.alleles().items():
            observed.setdefault(m, set()).update(alleles)
    table = table.with_alleles(observed)
    result = PairResult(remains.sample_id, ped.family_id, mp, 0.0)
    for marker, geno in remains.genotypes.items():
        if marker not in table.markers:
            continue
        model = marker_model(table, marker, (mutation or {}).get(marker), theta)
        result.markers.append(marker_lr(ped, mp, model, family_data(ped, references, marker), geno))
    total = 0.0
    for one in result.markers:
        total += math.log10(one.lr) if one.lr > 0 else -math.inf
    result.log10_lr = total
    return result
