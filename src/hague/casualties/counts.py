"""Documented casualty counts as OHCHR reports them: documented minimums, killed and injured apart.

Counts are of victims (linked clusters of records), never of raw records. Categories follow OHCHR's
updates: men, women, girls, boys, adults of unknown sex, children of unknown sex, and unknown age.
A victim's attributes come from its records: the gravest status (killed > injured > unknown), a sex or
age group only when its records agree, the highest verification level, the earliest date.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.casualties import models as m
from hague.errors import ValidationError
from hague.evidence.register import get_case

LABEL = "documented minimum"
CATEGORIES = ("men", "women", "girls", "boys", "adults_unknown_sex", "children_unknown_sex", "unknown_age")
_STATUS_RANK = {"killed": 2, "injured": 1, "unknown": 0}
_VERIFICATION_RANK = {name: rank for rank, name in enumerate(m.VERIFICATION)}


@dataclass
class Victim:
    """One person as the linked records describe them."""

    code: str
    status: str
    sex: str
    age_group: str
    date: str
    region: str
    control: str
    verification: str
    sources: set[int] = field(default_factory=set)

    @property
    def category(self) -> str:
        """The OHCHR sex/age category."""
        if self.age_group == "unknown":
            return "unknown_age"
        if self.age_group == "adult":
            return {"male": "men", "female": "women"}.get(self.sex, "adults_unknown_sex")
        return {"male": "boys", "female": "girls"}.get(self.sex, "children_unknown_sex")


def _agreed(values: list[str], unknown: str = "unknown") -> str:
    known = {v for v in values if v and v != unknown}
    return known.pop() if len(known) == 1 else unknown


def victims_from_rows(rows: list[dict[str, Any]]) -> list[Victim]:
    """Collapse record rows (with `victim_code`, or none = not yet linked) into victims."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row.get("victim_code") or f"R-{row['id']}"].append(row)
    victims = []
    for code, members in sorted(groups.items()):
        dates = sorted(r["date_text"] for r in members if r["date_text"])
        victims.append(
            Victim(
                code=code,
                status=max((r["status"] for r in members), key=lambda s: _STATUS_RANK[s]),
                sex=_agreed([r["sex"] for r in members]),
                age_group=_agreed([r["age_group"] for r in members]),
                date=dates[0] if dates else "",
                region=_agreed([r["region"] for r in members], unknown="") or "unknown",
                control=_agreed([r["territorial_control"] for r in members]),
                verification=max((r["verification"] for r in members), key=lambda v: _VERIFICATION_RANK[v]),
                sources={r["source_id"] for r in members},
            )
        )
    return victims


def load_victims(session: Session, case_code: str) -> list[Victim]:
    """The case's victims from its live records."""
    case = get_case(session, case_code)
    columns = (
        m.CasualtyRecord.id,
        m.CasualtyRecord.victim_code,
        m.CasualtyRecord.status,
        m.CasualtyRecord.sex,
        m.CasualtyRecord.age_group,
        m.CasualtyRecord.date_text,
        m.CasualtyRecord.region,
        m.CasualtyRecord.territorial_control,
        m.CasualtyRecord.verification,
        m.CasualtyRecord.source_id,
    )
    rows = session.execute(
        select(*columns).where(m.CasualtyRecord.case_id == case.id, m.CasualtyRecord.withdrawn.is_(False))
    ).all()
    return victims_from_rows([dict(zip([c.key for c in columns], row, strict=True)) for row in rows])


def _split(victims: list[Victim], key: Any) -> dict[str, dict[str, int]]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for v in victims:
        table[key(v)][v.status] += 1
    return {k: {s: table[k][s] for s in m.STATUSES} for k in sorted(table)}


def count(victims: list[Victim], min_verification: str = "corroborated") -> dict[str, Any]:
    """OHCHR-style tables over victims at or above `min_verification`; the rest are shown as pending."""
    if min_verification not in _VERIFICATION_RANK:
        raise ValidationError(f"verification must be one of {', '.join(m.VERIFICATION)}", field="verification")
    floor = _VERIFICATION_RANK[min_verification]
    counted = [v for v in victims if _VERIFICATION_RANK[v.verification] >= floor]
    pending = [v for v in victims if _VERIFICATION_RANK[v.verification] < floor]
    by_category = {
        status: {c: sum(1 for v in counted if v.status == status and v.category == c) for c in CATEGORIES}
        for status in m.STATUSES
    }
    for status in m.STATUSES:
        by_category[status]["total"] = sum(by_category[status][c] for c in CATEGORIES)
    return {
        "label": LABEL,
        "note": (
            "Documented minimum: victims whose records reached the verification level shown; "
            "the actual numbers are higher. Not an estimate."
        ),
        "min_verification": min_verification,
        "totals": {s: by_category[s]["total"] for s in m.STATUSES},
        "by_category": by_category,
        "by_region": _split(counted, lambda v: v.region),
        "by_month": _split(counted, lambda v: v.date[:7] if len(v.date) >= 7 else "unknown"),
        "by_control": _split(counted, lambda v: v.control),
        "by_verification": _split(counted, lambda v: v.verification),
        "pending": {s: sum(1 for v in pending if v.status == s) for s in m.STATUSES},
        "victims": len(counted),
    }


def documented_counts(session: Session, case_code: str, min_verification: str = "corroborated") -> dict[str, Any]:
    """Counts for a case, labelled "documented minimum"."""
    return count(load_victims(session, case_code), min_verification) | {"case": case_code}
