"""Allele frequency databases: one table per population, CSV `marker,allele,frequency`.

Rare and unseen alleles get at least `min_frequency` (NRC II recommendation 4.3 style floor), after which
each marker is renormalised so the genotype probabilities of the population model stay proper.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from hague.errors import ValidationError

DEFAULT_MIN_FREQUENCY = 0.001


def allele_key(allele: str) -> tuple[float, str]:
    """Sort alleles numerically where they are repeat numbers (9, 9.3, 10), else by text."""
    try:
        return (float(allele), allele)
    except ValueError:
        return (math.inf, allele)


@dataclass
class FrequencyTable:
    """Allele frequencies per marker for one population; alleles are kept as their lab designation text."""

    name: str
    markers: dict[str, dict[str, float]] = field(default_factory=dict)
    min_frequency: float = DEFAULT_MIN_FREQUENCY

    def alleles(self, marker: str) -> list[str]:
        """The alleles of a marker in repeat order."""
        return sorted(self.marker(marker), key=allele_key)

    def marker(self, marker: str) -> dict[str, float]:
        """Frequencies of one marker (NotFound-like ValidationError if the database lacks it)."""
        try:
            return self.markers[marker]
        except KeyError:
            raise ValidationError(
                f"frequency database {self.name!r} has no marker {marker!r}", field="marker"
            ) from None

    def with_alleles(self, observed: Mapping[str, Iterable[str]]) -> FrequencyTable:
        """A copy where every observed allele exists: unseen ones enter at `min_frequency`, then renormalised."""
        out: dict[str, dict[str, float]] = {}
        for marker, table in self.markers.items():
            freqs = {a: max(f, self.min_frequency) for a, f in table.items()}
            for allele in observed.get(marker, ()):
                freqs.setdefault(allele, self.min_frequency)
            total = sum(freqs.values())
            out[marker] = {a: f / total for a, f in freqs.items()}
        return FrequencyTable(self.name, out, self.min_frequency)


def parse_frequencies_csv(text: str, name: str, min_frequency: float = DEFAULT_MIN_FREQUENCY) -> FrequencyTable:
    """Read `marker,allele,frequency` rows; each marker's frequencies must sum to 1 within 0.01."""
    if not 0 < min_frequency < 0.5:
        raise ValidationError("minimum frequency must be between 0 and 0.5", field="min_frequency")
    reader = csv.DictReader(io.StringIO(text))
    need = {"marker", "allele", "frequency"}
    if reader.fieldnames is None or not need <= {f.strip() for f in reader.fieldnames}:
        raise ValidationError("frequency CSV needs the columns marker,allele,frequency", field="header")
    markers: dict[str, dict[str, float]] = {}
    for line, row in enumerate(reader, start=2):
        marker, allele = (row.get("marker") or "").strip(), (row.get("allele") or "").strip()
        if not marker or not allele:
            raise ValidationError(f"line {line}: marker and allele are required", field="line")
        try:
            freq = float(row.get("frequency") or "")
        except ValueError:
            raise ValidationError(f"line {line}: frequency is not a number", field="frequency") from None
        if not 0 < freq <= 1 or not math.isfinite(freq):
            raise ValidationError(f"line {line}: frequency must be in (0, 1]", field="frequency")
        table = markers.setdefault(marker, {})
        if allele in table:
            raise ValidationError(f"line {line}: allele {allele} of {marker} listed twice", field="allele")
        table[allele] = freq
    if not markers:
        raise ValidationError("frequency CSV has no rows", field="rows")
    for marker, table in markers.items():
        total = sum(table.values())
        if abs(total - 1) > 0.01:
            raise ValidationError(f"frequencies of {marker} sum to {total:.4f}, not 1", field="frequency")
    return FrequencyTable(name, markers, min_frequency).with_alleles({})


def frequencies_csv(table: FrequencyTable) -> str:
    """Write a table back as `marker,allele,frequency` CSV (repr keeps every float exact)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["marker", "allele", "frequency"])
    for marker in table.markers:
        for allele in table.alleles(marker):
            writer.writerow([marker, allele, repr(table.markers[marker][allele])])
    return out.getvalue()
