"""Reference pedigrees: a family tree with typed relatives (by sample barcode) and missing persons.

CSV `family_id,person_id,father,mother,sex,typed_sample_id,missing`; person ids are pseudonymous
labels within the family (`F1`, `MP1`), never names. A missing person with a typed sample is typed
through a personal effect (toothbrush, razor): a direct reference, compared by identity.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from hague.errors import ValidationError
from hague.identify.profiles import check_barcode, check_sex

TRUE = {"1", "true", "yes", "y", "x"}


@dataclass(frozen=True)
class Person:
    """One member of a reference pedigree; founders have neither parent."""

    id: str
    father: str | None = None
    mother: str | None = None
    sex: str = "unknown"
    sample: str | None = None
    missing: bool = False


@dataclass
class Pedigree:
    """A family's tree: persons in an order where parents come before their children."""

    family_id: str
    persons: list[Person] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.persons = _ordered(self.family_id, self.persons)
        self.index = {p.id: i for i, p in enumerate(self.persons)}

    def person(self, pid: str) -> Person:
        """The member with this id."""
        try:
            return self.persons[self.index[pid]]
        except KeyError:
            raise ValidationError(f"family {self.family_id} has no person {pid!r}", field="person") from None

    @property
    def missing(self) -> list[str]:
        """Ids of the missing persons, in pedigree order."""
        return [p.id for p in self.persons if p.missing]

    @property
    def typed(self) -> list[Person]:
        """Members with a reference sample."""
        return [p for p in self.persons if p.sample]

    def to_rows(self) -> list[dict[str, str]]:
        """CSV rows, the inverse of `parse_pedigrees_csv`."""
        return [
            {
                "family_id": self.family_id,
                "person_id": p.id,
                "father": p.father or "",
                "mother": p.mother or "",
                "sex": p.sex,
                "typed_sample_id": p.sample or "",
                "missing": "1" if p.missing else "0",
            }
            for p in self.persons
        ]


def _ordered(family: str, persons: list[Person]) -> list[Person]:
    """Check the tree (known parents, parent sexes, both-or-neither, no cycles) and sort parents first."""
    by_id: dict[str, Person] = {}
    for p in persons:
        if p.id in by_id:
            raise ValidationError(f"family {family}: person {p.id} listed twice", field="person_id")
        by_id[p.id] = p
    samples = [p.sample for p in persons if p.sample]
    if len(samples) != len(set(samples)):
        raise ValidationError(f"family {family}: a sample is typed for two persons", field="typed_sample_id")
    for p in persons:
        if (p.father is None) != (p.mother is None):
            raise ValidationError(f"family {family}: {p.id} needs both parents or none (add an untyped one)")
        for parent, sex in ((p.father, "male"), (p.mother, "female")):
            if parent is None:
                continue
            if parent not in by_id:
                raise ValidationError(f"family {family}: {p.id}'s parent {parent} is not listed", field="person_id")
            if by_id[parent].sex not in (sex, "unknown"):
                raise ValidationError(f"family {family}: {parent} is a parent of {p.id} but not {sex}", field="sex")
    order: list[Person] = []
    state: dict[str, int] = {}

    def visit(pid: str) -> None:
        if state.get(pid) == 2:
            return
        if state.get(pid) == 1:
            raise ValidationError(f"family {family}: {pid} is their own ancestor", field="father")
        state[pid] = 1
        person = by_id[pid]
        for parent in (person.father, person.mother):
            if parent is not None:
                visit(parent)
        state[pid] = 2
        order.append(person)

    for p in persons:
        visit(p.id)
    return order


def parse_pedigrees_csv(text: str) -> dict[str, Pedigree]:
    """Read `family_id,person_id,father,mother,sex,typed_sample_id,missing` into pedigrees by family."""
    reader = csv.DictReader(io.StringIO(text))
    need = {"family_id", "person_id", "father", "mother", "sex", "typed_sample_id", "missing"}
    if reader.fieldnames is None or not need <= {f.strip() for f in reader.fieldnames}:
        raise ValidationError(f"pedigree CSV needs the columns {','.join(sorted(need))}", field="header")
    families: dict[str, list[Person]] = {}
    for row in reader:
        fam = check_barcode(row.get("family_id") or "", "family id")
        sample = (row.get("typed_sample_id") or "").strip()
        families.setdefault(fam, []).append(
            Person(
                id=check_barcode(row.get("person_id") or "", "person id"),
                father=(row.get("father") or "").strip() or None,
                mother=(row.get("mother") or "").strip() or None,
                sex=check_sex(row.get("sex") or ""),
                sample=check_barcode(sample) if sample else None,
                missing=(row.get("missing") or "").strip().lower() in TRUE,
            )
        )
    if not families:
        raise ValidationError("pedigree CSV has no rows", field="rows")
    return {fam: Pedigree(fam, persons) for fam, persons in families.items()}


def pedigrees_csv(pedigrees: list[Pedigree]) -> str:
    """Write pedigrees as CSV (round-trips with `parse_pedigrees_csv`)."""
    out = io.StringIO()
    cols = ["family_id", "person_id", "father", "mother", "sex", "typed_sample_id", "missing"]
    writer = csv.DictWriter(out, cols, lineterminator="\n")
    writer.writeheader()
    for ped in pedigrees:
        writer.writerows(ped.to_rows())
    return out.getvalue()
