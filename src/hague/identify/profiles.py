"""Autosomal STR profiles of references and remains, and the plain CSV formats a lab can write by hand.

A genotype is an unordered pair of allele designations; a dropped-out allele is `None` (the observed
allele plus an unknown partner), and an untyped marker is simply absent from the profile.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from hague.errors import ValidationError
from hague.identify.frequencies import allele_key

Genotype = tuple[str, str | None]
MISSING_ALLELE = {"", "-", "?", "f", "F", "na", "NA"}
ALLELE = re.compile(r"^[A-Za-z0-9.<>_+-]{1,16}$")
BARCODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SEXES = ("male", "female", "unknown")


def check_barcode(value: str, what: str = "sample id") -> str:
    """Sample barcodes and pseudonymous ids: short, no spaces (they MUST NOT carry names)."""
    value = value.strip()
    if not BARCODE.match(value):
        raise ValidationError(f"{what} {value[:20]!r} must be 1-64 letters, digits, dots, dashes", field=what)
    return value


def genotype(a: str | None, b: str | None) -> Genotype | None:
    """Normalise two observed alleles: sorted, a missing one becomes `None`; nothing observed gives None."""
    x = None if a is None or a.strip() in MISSING_ALLELE else a.strip()
    y = None if b is None or b.strip() in MISSING_ALLELE else b.strip()
    for allele in (x, y):
        if allele is not None and not ALLELE.match(allele):
            raise ValidationError(f"allele {allele[:20]!r} is not a designation like 9.3", field="allele")
    if x is None and y is None:
        return None
    if x is None or y is None:
        return (x or y or "", None)
    return (x, y) if allele_key(x) <= allele_key(y) else (y, x)


@dataclass
class Profile:
    """The STR genotypes of one sample, by marker."""

    sample_id: str
    genotypes: dict[str, Genotype] = field(default_factory=dict)

    def alleles(self) -> dict[str, set[str]]:
        """Observed alleles per marker (for extending frequency tables)."""
        return {m: {a for a in g if a is not None} for m, g in self.genotypes.items()}


@dataclass
class RemainsInfo:
    """What the remains CSV says about a remains sample: estimated sex and age range."""

    sample_id: str
    sex: str = "unknown"
    age_min: int | None = None
    age_max: int | None = None


def check_sex(value: str) -> str:
    """`male`, `female` or `unknown` (also M/F/U, 1/2)."""
    text = value.strip().lower()
    mapped = {"m": "male", "1": "male", "f": "female", "2": "female", "u": "unknown", "": "unknown", "0": "unknown"}
    text = mapped.get(text, text)
    if text not in SEXES:
        raise ValidationError(f"sex must be male, female or unknown, not {value[:10]!r}", field="sex")
    return text


def _reader(text: str, need: set[str], what: str) -> csv.DictReader[str]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not need <= {f.strip() for f in reader.fieldnames}:
        raise ValidationError(f"{what} CSV needs the columns {','.join(sorted(need))}", field="header")
    return reader


def parse_profiles_csv(text: str) -> dict[str, Profile]:
    """Read `sample_id,marker,allele1,allele2`; an empty/`-`/`F` allele is a drop-out (missing allele)."""
    profiles: dict[str, Profile] = {}
    for line, row in enumerate(_reader(text, {"sample_id", "marker", "allele1", "allele2"}, "profile"), start=2):
        sample = check_barcode(row.get("sample_id") or "")
        marker = (row.get("marker") or "").strip()
        if not marker:
            raise ValidationError(f"line {line}: marker is required", field="marker")
        geno = genotype(row.get("allele1"), row.get("allele2"))
        profile = profiles.setdefault(sample, Profile(sample))
        if marker in profile.genotypes:
            raise ValidationError(f"line {line}: {sample} has {marker} twice", field="marker")
        if geno is not None:
            profile.genotypes[marker] = geno
    return profiles


def profiles_csv(profiles: list[Profile]) -> str:
    """Write profiles as `sample_id,marker,allele1,allele2` (drop-out written as `-`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["sample_id", "marker", "allele1", "allele2"])
    for profile in profiles:
        for marker, (a, b) in profile.genotypes.items():
            writer.writerow([profile.sample_id, marker, a, b if b is not None else "-"])
    return out.getvalue()


def parse_remains_csv(text: str) -> dict[str, RemainsInfo]:
    """Read `sample_id,sex` with optional `age_min,age_max` columns."""
    out: dict[str, RemainsInfo] = {}
    for line, row in enumerate(_reader(text, {"sample_id", "sex"}, "remains"), start=2):
        sample = check_barcode(row.get("sample_id") or "")
        if sample in out:
            raise ValidationError(f"line {line}: remains {sample} listed twice", field="sample_id")
        ages: list[int | None] = []
        for col in ("age_min", "age_max"):
            raw = (row.get(col) or "").strip()
            if raw and not raw.isdigit():
                raise ValidationError(f"line {line}: {col} must be whole years", field=col)
            ages.append(int(raw) if raw else None)
        if ages[0] is not None and ages[1] is not None and ages[0] > ages[1]:
            raise ValidationError(f"line {line}: age_min is above age_max", field="age_min")
        out[sample] = RemainsInfo(sample, check_sex(row.get("sex") or ""), ages[0], ages[1])
    return out
