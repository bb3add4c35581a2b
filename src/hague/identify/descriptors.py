"""The one structure AM and PM records share (INTERPOL DVI forms), and their field-by-field comparison.

Primary identifiers are DNA, fingerprints and dental; the rest are secondary and only corroborate.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from hague.errors import ValidationError
from hague.identify.profiles import check_sex

TEXT_FIELDS = ("description", "clothing", "effects", "dental", "medical", "marks", "fingerprints")
PRIMARY_FIELDS = ("dental", "fingerprints")


@dataclass
class Descriptors:
    """Physical description, clothing, effects, dental, medical, marks and fingerprints of one person."""

    sex: str = "unknown"
    age_min: int | None = None
    age_max: int | None = None
    height_min_cm: int | None = None
    height_max_cm: int | None = None
    description: str = ""
    clothing: str = ""
    effects: str = ""
    dental: str = ""
    medical: str = ""
    marks: str = ""
    fingerprints: str = ""

    def __post_init__(self) -> None:
        self.sex = check_sex(self.sex)
        for low, high, top in (("age_min", "age_max", 130), ("height_min_cm", "height_max_cm", 250)):
            lo, hi = getattr(self, low), getattr(self, high)
            for name, value in ((low, lo), (high, hi)):
                if value is not None and (not isinstance(value, int) or not 0 <= value <= top):
                    raise ValidationError(f"{name} must be a whole number from 0 to {top}", field=name)
            if lo is not None and hi is not None and lo > hi:
                raise ValidationError(f"{low} is above {high}", field=low)
        for name in TEXT_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, str) or len(value) > 5000:
                raise ValidationError(f"{name} must be text of at most 5000 characters", field=name)
            setattr(self, name, value.strip())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON (ints and strings only, so it is canonical)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Descriptors:
        """Build from JSON, refusing unknown fields."""
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        extra = set(data) - known
        if extra:
            raise ValidationError(f"unknown descriptor field(s): {', '.join(sorted(extra))}", field="descriptors")
        return cls(**data)


def _overlap(a: tuple[int | None, int | None], b: tuple[int | None, int | None]) -> str:
    if (a[0] is None and a[1] is None) or (b[0] is None and b[1] is None):
        return "not recorded"
    lo_a, hi_a = a[0] if a[0] is not None else -1, a[1] if a[1] is not None else 10**6
    lo_b, hi_b = b[0] if b[0] is not None else -1, b[1] if b[1] is not None else 10**6
    return "consistent" if lo_a <= hi_b and lo_b <= hi_a else "inconsistent"


def compare(am: Descriptors, pm: Descriptors) -> list[dict[str, Any]]:
    """Side-by-side rows (field, AM, PM, verdict): ranges and sex are checked; free text is left to review."""
    rows: list[dict[str, Any]] = []
    verdict = "consistent" if am.sex == pm.sex else "inconsistent"
    if "unknown" in (am.sex, pm.sex):
        verdict = "not recorded"
    rows.append({"field": "sex", "am": am.sex, "pm": pm.sex, "verdict": verdict})
    for label, lo, hi in (("age", "age_min", "age_max"), ("height_cm", "height_min_cm", "height_max_cm")):
        a = (getattr(am, lo), getattr(am, hi))
        b = (getattr(pm, lo), getattr(pm, hi))
        rows.append({"field": label, "am": list(a), "pm": list(b), "verdict": _overlap(a, b)})
    for name in TEXT_FIELDS:
        a, b = getattr(am, name), getattr(pm, name)
        rows.append({"field": name, "am": a, "pm": b, "verdict": "to review" if a and b else "not recorded"})
    return rows
