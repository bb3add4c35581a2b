"""Allele frequency databases: one table per population, CSV `marker,allele,frequency`.

Rare and unseen alleles get `min_frequency` (an NRC II-style floor) and the other alleles of the marker are
scaled to fill the rest, so frequencies still sum to one and flooring twice changes nothing.
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
        """A copy where every observed allele exists: rare and unseen alleles get exactly `min_frequency`
        and the others are scaled to fill the rest, so applying it again changes nothing."""
        out: dict[str, dict[str, float]] = {}
        for marker, table in self.markers.items():
            freqs = dict(table)
            for allele in observed.get(marker, ()):
                freqs.setdefault(allele, 0.0)
            out[marker] = _floor(freqs, self.min_frequency)
        return FrequencyTable(self.name, out, self.min_frequency)


def _floor(freqs: dict[str, float], floor: float) -> dict[str, float]:
    low: set[str] = set()
    while True:
        low |= {a for a, f in freqs.items() if f <= floor}
        rest = sum(f for a, f in freqs.items() if a not in low)
        if len(low) * floor >= 1 or rest <= 0:
            raise ValidationError("too many alleles for the minimum frequency", field="min_frequency")
        scale = (1 - len(low) * floor) / rest
        scaled = {a: floor if a in low else f * scale for a, f in freqs.items()}
        if all(f > floor for a, f in scaled.items() if a not in low):
            return scaled
        freqs = scaled


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
