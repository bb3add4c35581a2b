"""Screening every remains sample against every family (ICMP-style blind search), vectorised with numpy.

For each family, missing person and marker the exact pedigree computation runs once, giving
P(MP genotype = g | references) for every genotype g; the LR of a remains genotype is that probability
over its population frequency, and a drop-out genotype {a, ?} sums over every partner allele. The
per-marker tables are then gathered for all remains at once and added up in log space.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from hague.errors import ValidationError
from hague.identify.frequencies import FrequencyTable
from hague.identify.likelihood import (
    MarkerModel,
    joint_and_plain,
    joint_with_target,
    marker_model,
    population_genotypes,
    unordered,
)
from hague.identify.mutation import MutationModel
from hague.identify.pedigree import Pedigree
from hague.identify.profiles import Profile
from hague.identify.statistics import family_data, pair_lr

DEFAULT_THRESHOLD = 10_000.0


@dataclass
class Family:
    """A reference pedigree with the profiles of its typed members (by sample barcode)."""

    pedigree: Pedigree
    references: dict[str, Profile] = field(default_factory=dict)


@dataclass
class Candidate:
    """A remains sample ranked against a family's missing person."""

    remains: str
    family: str
    missing_person: str
    log10_lr: float
    exclusions: int
    markers: int

    @property
    def lr(self) -> float:
        """The LR (inf beyond float range; rank by log10_lr)."""
        return 10**self.log10_lr if self.log10_lr < 308 else math.inf


@dataclass
class ScreenResult:
    """Candidates at or above the threshold, best first, plus what was screened."""

    candidates: list[Candidate]
    threshold: float
    remains: int
    families: int
    missing_persons: int
    markers: list[str]
    warnings: list[str] = field(default_factory=list)


@dataclass
class Matrix:
    """Full screening output: rows are (family, missing person), columns are remains."""

    rows: list[tuple[str, str, str]]  # family, missing person, sex
    remains: list[str]
    log10_lr: NDArray[np.float64]
    exclusions: NDArray[np.int16]
    markers_compared: NDArray[np.int16]
    warnings: list[str]
    markers: list[str] = field(default_factory=list)


def _marker_tables(fam: Family, mp: str, model: MarkerModel) -> tuple[NDArray[np.float64], NDArray[np.bool_]] | None:
    """log10 LR and exclusion flags for every remains genotype code of one marker (None: references clash)."""
    data = family_data(fam.pedigree, fam.references, model.name)
    k = len(model.alleles)
    mutates = model.mutation is not None and model.mutation.rate > 0
    if mutates:
        joint, j0 = joint_and_plain(fam.pedigree, model, data, mp)
    else:
        joint = j0 = joint_with_target(fam.pedigree, model, data, mp)
    total = joint.sum()
    if total <= 0:
        return None
    pop = population_genotypes(model.freqs)
    u = unordered(joint) / total
    with np.errstate(divide="ignore"):
        lr_full = np.log10(u / pop).ravel()
        lr_drop = np.log10(u.sum(axis=1) / (model.freqs * (2 - model.freqs)))
    logs = np.concatenate([lr_full, lr_drop, [0.0]])
    if not mutates:
        excluded = np.isneginf(logs)
    else:
        u0 = unordered(j0)
        excluded = np.concatenate([(u0 == 0).ravel(), u0.sum(axis=1) == 0, [False]])
    assert len(logs) == k * k + k + 1
    return logs, excluded


def remains_codes(remains: Sequence[Profile], model: MarkerModel) -> NDArray[np.int64]:
    """Column index per remains into a marker table: i*K+j for {i, j}, K*K+i for {i, ?}, K*K+K untyped."""
    k = len(model.alleles)
    codes = np.full(len(remains), k * k + k, dtype=np.int64)
    for n, profile in enumerate(remains):
        geno = profile.genotypes.get(model.name)
        if geno is None:
            continue
        a, b = geno
        codes[n] = k * k + model.index[a] if b is None else model.index[a] * k + model.index[b]
    return codes


@dataclass
class _Job:
    families: list[Family]
    models: list[MarkerModel]
    codes: list[NDArray[np.int64]]
    sexes: NDArray[np.int8]
    n_remains: int


def _sex_code(sex: str) -> int:
    return {"male": 1, "female": 2}.get(sex, 0)


def _run(job: _Job) -> Matrix:
    rows: list[tuple[str, str, str]] = []
    tables: list[list[tuple[NDArray[np.float64], NDArray[np.bool_]]]] = []
    warnings: list[str] = []
    for fam in job.families:
        for mp in fam.pedigree.missing:
            per_marker = []
            for model in job.models:
                t = _marker_tables(fam, mp, model)
                if t is None:
                    warnings.append(f"family {fam.pedigree.family_id}: references inconsistent at {model.name}")
                    width = len(model.alleles) ** 2 + len(model.alleles) + 1
                    t = (np.zeros(width), np.zeros(width, dtype=bool))
                per_marker.append(t)
            rows.append((fam.pedigree.family_id, mp, fam.pedigree.person(mp).sex))
            tables.append(per_marker)
    n = len(rows)
    logs = np.zeros((n, job.n_remains))
    excl = np.zeros((n, job.n_remains), dtype=np.int16)
    compared = np.zeros((n, job.n_remains), dtype=np.int16)
    for m, model in enumerate(job.models):
        k = len(model.alleles)
        stack = np.stack([tables[r][m][0] for r in range(n)]) if n else np.zeros((0, k * k + k + 1))
        flags = np.stack([tables[r][m][1] for r in range(n)]) if n else np.zeros((0, k * k + k + 1), dtype=bool)
        logs += stack[:, job.codes[m]]
        excl += flags[:, job.codes[m]]
        compared += (job.codes[m] != k * k + k)[None, :]
    # sex: remains of one sex are never the missing person of the other
    mp_sex = np.array([_sex_code(s) for _, _, s in rows], dtype=np.int8)
    clash = mp_sex[:, None] * job.sexes[None, :] == 2  # 1 x 2: one male, one female
    logs[clash] = -np.inf
    return Matrix(rows, [], logs, excl, compared, warnings)


def _prepare(
    remains: Sequence[Profile],
    families: Sequence[Family],
    table: FrequencyTable,
    mutation: Mapping[str, MutationModel] | None,
) -> tuple[list[MarkerModel], FrequencyTable]:
    observed: dict[str, set[str]] = {}
    profiles = [*remains, *(p for f in families for p in f.references.values())]
    for profile in profiles:
        for m, alleles in profile.alleles().items():
            observed.setdefault(m, set()).update(alleles)
    table = table.with_alleles(observed)
    markers = [m for m in table.markers if m in observed]
    if not markers:
        raise ValidationError("no marker is shared by the profiles and the frequency database", field="marker")
    return [marker_model(table, m, (mutation or {}).get(m)) for m in markers], table


def screen_matrix(
    remains: Sequence[Profile],
    families: Sequence[Family],
    table: FrequencyTable,
    *,
    mutation: Mapping[str, MutationModel] | None = None,
    sexes: Mapping[str, str] | None = None,
    workers: int = 1,
) -> Matrix:
    """log10 LRs of every remains against every (family, missing person), with exclusion counts."""
    models, _ = _prepare(remains, families, table, mutation)
    codes = [remains_codes(remains, model) for model in models]
    sex = np.array([_sex_code((sexes or {}).get(r.sample_id, "unknown")) for r in remains], dtype=np.int8)
    chunks = [list(families[i::workers]) for i in range(workers)] if workers > 1 else [list(families)]
    jobs = [_Job(chunk, models, codes, sex, len(remains)) for chunk in chunks if chunk]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            parts = list(pool.map(_run, jobs))
    else:
        parts = [_run(job) for job in jobs]
    rows = [r for p in parts for r in p.rows]
    if not rows:
        raise ValidationError("no family has a missing person to search for", field="missing")
    return Matrix(
        rows,
        [r.sample_id for r in remains],
        np.concatenate([p.log10_lr for p in parts]),
        np.concatenate([p.exclusions for p in parts]),
        np.concatenate([p.markers_compared for p in parts]),
        [w for p in parts for w in p.warnings],
        [m.name for m in models],
    )


def screen(
    remains: Sequence[Profile],
    families: Sequence[Family],
    table: FrequencyTable,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    mutation: Mapping[str, MutationModel] | None = None,
    theta: float = 0.0,
    theta_margin: float = 2.0,
    sexes: Mapping[str, str] | None = None,
    workers: int = 1,
) -> ScreenResult:
    """Rank remains–family pairs by LR and keep those at or above `threshold`.

    With theta > 0, pairs within `theta_margin` decades of the threshold at theta = 0 are recomputed
    exactly with the Balding–Nichols correction (`statistics.pair_lr`), and the corrected LR decides.
    """
    if threshold <= 0:
        raise ValidationError("threshold must be positive", field="threshold")
    matrix = screen_matrix(remains, families, table, mutation=mutation, sexes=sexes, workers=workers)
    cut = math.log10(threshold) - (theta_margin if theta > 0 else 0.0)
    hits = np.argwhere(matrix.log10_lr >= cut)
    by_id = {r.sample_id: r for r in remains}
    fams = {f.pedigree.family_id: f for f in families}
    candidates = []
    for row, col in hits:
        family, mp, _ = matrix.rows[row]
        log10_lr = float(matrix.log10_lr[row, col])
        exclusions = int(matrix.exclusions[row, col])
        if theta > 0:
            fam = fams[family]
            exact = pair_lr(fam.pedigree, mp, fam.references, by_id[matrix.remains[col]], table, mutation, theta)
            log10_lr, exclusions = exact.log10_lr, exact.exclusions
            if log10_lr < math.log10(threshold):
                continue
        candidates.append(
            Candidate(matrix.remains[col], family, mp, log10_lr, exclusions, int(matrix.markers_compared[row, col]))
        )
    candidates.sort(key=lambda c: (-c.log10_lr, c.remains, c.family, c.missing_person))
    return ScreenResult(
        candidates,
        threshold,
        len(remains),
        len(families),
        len(matrix.rows),
        matrix.markers,
        matrix.warnings,
    )
