"""Mutation models for STR transmission (as in Familias and pedmut): equal, proportional, stepwise.

`matrix(alleles, freqs)[i, j]` is the probability that allele i in the parent is transmitted as allele j.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hague.errors import ValidationError

MODELS = ("equal", "proportional", "stepwise")


@dataclass(frozen=True)
class MutationModel:
    """A per-marker mutation model; `rate` is the overall probability that a transmitted allele mutates."""

    kind: str
    rate: float
    range: float = 0.5
    rate2: float = 1e-6

    def __post_init__(self) -> None:
        if self.kind not in MODELS:
            raise ValidationError(f"mutation model must be one of {', '.join(MODELS)}", field="mutation")
        if not 0 <= self.rate < 0.5 or not 0 <= self.rate2 < 0.5:
            raise ValidationError("mutation rates must be in [0, 0.5)", field="mutation")
        if not 0 < self.range < 1:
            raise ValidationError("stepwise range must be in (0, 1)", field="mutation")

    @property
    def lumpable(self) -> bool:
        """True if alleles unseen in a family may be merged into one without changing likelihoods."""
        return self.kind == "proportional" or self.rate == 0

    def matrix(self, alleles: list[str], freqs: NDArray[np.float64]) -> NDArray[np.float64]:
        """The transmission matrix over `alleles` (rows sum to 1)."""
        k = len(alleles)
        if k == 1 or self.rate == 0:
            return np.eye(k)
        if self.kind == "equal":
            mat = np.full((k, k), self.rate / (k - 1))
            np.fill_diagonal(mat, 1 - self.rate)
            return mat
        if self.kind == "proportional":
            alpha = self.rate / float(np.sum(freqs * (1 - freqs)))
            mat = np.tile(alpha * freqs, (k, 1))
            np.fill_diagonal(mat, 1 - alpha * (1 - freqs))
            if np.any(mat < 0):
                raise ValidationError("proportional mutation rate too high for these frequencies", field="mutation")
            return mat
        return self._stepwise(alleles)

    def _stepwise(self, alleles: list[str]) -> NDArray[np.float64]:
        try:
            values = np.array([float(a) for a in alleles])
        except ValueError:
            raise ValidationError("stepwise mutation needs numeric allele designations", field="mutation") from None
        k = len(alleles)
        mat = np.zeros((k, k))
        for i in range(k):
            steps = values - values[i]
            whole = np.isclose(steps, np.round(steps)) & (np.arange(k) != i)
            micro = ~np.isclose(steps, np.round(steps))
            weights = np.where(whole, self.range ** np.abs(np.round(steps)), 0.0)
            if weights.sum() > 0:
                mat[i] += self.rate * weights / weights.sum()
            if micro.any():
                mat[i, micro] += self.rate2 / micro.sum()
            mat[i, i] = 1 - mat[i].sum()
        return mat


def parse_mutation_csv(text: str) -> dict[str, MutationModel]:
    """Per-marker mutation models from CSV `marker,model,rate` (optional `range`, `rate2` columns)."""
    import csv
    import io

    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"marker", "model", "rate"} <= {f.strip() for f in reader.fieldnames}:
        raise ValidationError("mutation CSV needs the columns marker,model,rate", field="header")
    out: dict[str, MutationModel] = {}
    for line, row in enumerate(reader, start=2):
        marker = (row.get("marker") or "").strip()
        if not marker or marker in out:
            raise ValidationError(f"line {line}: marker missing or listed twice", field="marker")
        try:
            numbers = [float(row.get(k) or d) for k, d in (("rate", "x"), ("range", "0.5"), ("rate2", "1e-6"))]
        except ValueError:
            raise ValidationError(f"line {line}: rate, range and rate2 must be numbers", field="rate") from None
        out[marker] = MutationModel((row.get("model") or "").strip(), *numbers)
    return out
