"""The Familias `.fam` format (Egeland et al. 2000; layout as read by pedFamilias::readFam, version 3).

Line-based: a header, persons (name, sex, genotypes as 0-based allele/marker indices), known relations
(parent, child), pedigrees with their extra relations, then the database (per locus: mutation rates and
models for females and males, ranges, rates2, alleles with frequencies). Only the non-DVI part is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hague.errors import ValidationError
from hague.identify.frequencies import FrequencyTable
from hague.identify.mutation import MutationModel
from hague.identify.pedigree import Pedigree, Person
from hague.identify.profiles import Profile, check_barcode, genotype

MODEL_CODES = {0: "equal", 1: "proportional", 2: "stepwise", 3: "stepwise", 4: "stepwise"}


@dataclass
class FamiliasFile:
    """What a `.fam` file holds: persons with sex and genotypes, relations per pedigree, the database."""

    persons: dict[str, str] = field(default_factory=dict)  # id -> sex
    genotypes: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    known: list[tuple[str, str]] = field(default_factory=list)  # (parent, child)
    pedigrees: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    extras: dict[str, dict[str, str]] = field(default_factory=dict)  # pedigree -> extra person id -> sex
    table: FrequencyTable = field(default_factory=lambda: FrequencyTable("familias"))
    mutation: dict[str, MutationModel] = field(default_factory=dict)
    theta: float = 0.0


class _Lines:
    def __init__(self, text: str) -> None:
        self.lines = [line.strip().replace('"', "") for line in text.splitlines()]
        self.pos = 0

    def next(self) -> str:
        if self.pos >= len(self.lines):
            raise ValidationError("Familias file ends early", field="familias")
        line = self.lines[self.pos]
        self.pos += 1
        return line

    def int(self, what: str) -> int:
        line = self.next()
        try:
            return int(line.split("\t")[0].split()[0])
        except (ValueError, IndexError):
            raise ValidationError(f"Familias line {self.pos}: expected {what}, found {line[:30]!r}") from None

    def float(self, what: str) -> float:
        line = self.next()
        try:
            return float(line)
        except ValueError:
            raise ValidationError(f"Familias line {self.pos}: expected {what}, found {line[:30]!r}") from None


def parse_familias(text: str, name: str = "familias") -> FamiliasFile:
    """Parse a `.fam` file (non-DVI); refuses what it cannot represent (twins, silent alleles, DVI)."""
    lines = _Lines(text)
    lines.pos = 4 if lines.lines[3:4] == [""] else 3
    out = FamiliasFile()
    n_persons = lines.int("the number of persons")
    raw: list[tuple[str, list[tuple[int, int, int]]]] = []
    order: list[str] = []
    for _ in range(n_persons):
        pid = check_barcode(lines.next(), "Familias person id (use pseudonymous labels, not names)")
        lines.next()
        lines.next()
        lines.next()
        out.persons[pid] = "male" if lines.next() == "#TRUE#" else "female"
        triples = [(lines.int("allele index"), lines.int("allele index"), lines.int("marker index"))
                   for _ in range(lines.int("number of genotypes"))]  # fmt: skip
        raw.append((pid, triples))
        order.append(pid)
    if lines.next() != "Known relations":
        raise ValidationError(f"Familias line {lines.pos}: expected 'Known relations'")
    n_fem, n_mal = lines.int("extra females"), lines.int("extra males")
    base = list(order) + [f"XF{i + 1}" for i in range(n_fem)] + [f"XM{i + 1}" for i in range(n_mal)]
    for i, x in enumerate(base[len(order) :]):
        out.persons[x] = "female" if i < n_fem else "male"
    out.known = [(base[lines.int("parent")], base[lines.int("child")]) for _ in range(lines.int("relations"))]
    for _ in range(lines.int("number of pedigrees")):
        lines.int("pedigree index")
        ped_name = lines.next()
        fem, mal = lines.int("extra females"), lines.int("extra males")
        extra = {f"{ped_name}-F{i + 1}": "female" for i in range(fem)} | {
            f"{ped_name}-M{i + 1}": "male" for i in range(mal)
        }
        ids = base + list(extra)
        rels = []
        for _ in range(lines.int("relations")):
            parent = lines.next()
            if "Direct" in parent:
                raise ValidationError("Familias twins are not supported", field="familias")
            rels.append((ids[int(parent)], ids[lines.int("child")]))
        out.pedigrees[ped_name] = rels
        out.extras[ped_name] = extra
    header = lines.next()
    if header.startswith("#TRUE#"):
        raise ValidationError("Familias files with precomputed probabilities are not supported", field="familias")
    if "Theta/Kinship/Fst:" in header:
        out.theta = float(header.split("Fst:")[1].strip(" )"))
    n_loci = lines.int("number of loci")
    db_name = name
    if lines.next() == "#TRUE#":
        db_name = lines.next() or name
    markers: dict[str, dict[str, float]] = {}
    marker_names: list[str] = []
    allele_names: list[list[str]] = []
    for _ in range(n_loci):
        locus = lines.next()
        rate_f, rate_m = lines.float("female rate"), lines.float("male rate")
        lines.int("female model")
        model_m = lines.int("male model")
        lines.int("number of alleles")
        range_f, range_m = lines.float("female range"), lines.float("male range")
        rate2_f, rate2_m = lines.float("female rate2"), lines.float("male rate2")
        if lines.next() == "#TRUE#":
            raise ValidationError(f"locus {locus}: silent alleles are not supported", field="familias")
        lines.next()
        n_alleles = lines.int("number of alleles")
        alleles, freqs = [], []
        for _ in range(n_alleles):
            alleles.append(lines.next())
            freqs.append(lines.float("allele frequency"))
        markers[locus] = dict(zip(alleles, freqs, strict=True))
        marker_names.append(locus)
        allele_names.append(alleles)
        # one model per marker: the male one (paternal transmissions dominate STR mutation); rates averaged
        rate = (rate_f + rate_m) / 2
        if rate > 0:
            kind = MODEL_CODES.get(model_m, "equal")
            out.mutation[locus] = MutationModel(kind, rate, (range_f + range_m) / 2 or 0.5, (rate2_f + rate2_m) / 2)
    out.table = FrequencyTable(db_name, markers)
    for pid, triples in raw:
        genos: dict[str, tuple[str, str]] = {}
        for a, b, m in triples:
            try:
                locus = marker_names[m]
                genos[locus] = (allele_names[m][a], allele_names[m][b])
            except IndexError:
                raise ValidationError(f"Familias person {pid}: allele or marker index out of range") from None
        out.genotypes[pid] = genos
    return out


def familias_family(
    fam: FamiliasFile, family_id: str, missing: list[str], pedigree: str | None = None
) -> tuple[Pedigree, dict[str, Profile]]:
    """One reference pedigree from a `.fam` file: known relations plus those of `pedigree` (default: the
    first); typed persons get sample barcodes `FAMILY-PERSON`; `missing` names the missing persons."""
    rels = list(fam.known)
    sexes = dict(fam.persons)
    if fam.pedigrees:
        chosen = pedigree or next(iter(fam.pedigrees))
        if chosen not in fam.pedigrees:
            raise ValidationError(f"no pedigree {chosen!r} in the Familias file", field="pedigree")
        rels += fam.pedigrees[chosen]
        sexes |= fam.extras[chosen]
    fathers = {c: p for p, c in rels if sexes[p] == "male"}
    mothers = {c: p for p, c in rels if sexes[p] == "female"}
    for pid in missing:
        if pid not in sexes:
            raise ValidationError(f"missing person {pid} is not in the Familias file", field="missing")
    persons = []
    profiles: dict[str, Profile] = {}
    for pid, sex in sexes.items():
        typed = bool(fam.genotypes.get(pid)) and pid not in missing
        sample = f"{family_id}-{pid}" if typed else None
        persons.append(Person(pid, fathers.get(pid), mothers.get(pid), sex, sample, pid in missing))
        if sample:
            profile = Profile(sample)
            for locus, (a, b) in fam.genotypes[pid].items():
                g = genotype(a, b)
                if g is not None:
                    profile.genotypes[locus] = g
            profiles[sample] = profile
    # Familias allows one known parent; add the other as an untyped founder
    completed = []
    for p in persons:
        if (p.father is None) != (p.mother is None):
            extra_id = f"{p.id}-{'FA' if p.father is None else 'MO'}"
            completed.append(Person(extra_id, sex="male" if p.father is None else "female"))
            p = Person(p.id, p.father or extra_id, p.mother or extra_id, p.sex, p.sample, p.missing)
        completed.append(p)
    return Pedigree(family_id, completed), profiles


def _q(text: str) -> str:
    return f'"{text}"'


def write_familias(ped: Pedigree, profiles: dict[str, Profile], table: FrequencyTable,
                   mutation: dict[str, MutationModel] | None = None) -> str:  # fmt: skip
    """Write one pedigree with its genotypes and database as a `.fam` file (inverse of `parse_familias`)."""
    markers = list(table.markers)
    out = [_q("Output from Familias, version 3.2.8"), _q("Written by Hague"), "3.2.8", _q(""), str(len(ped.persons))]
    for p in ped.persons:
        out += [_q(p.id), "#FALSE#", "-1", "#FALSE#", "#TRUE#" if p.sex == "male" else "#FALSE#"]
        genos = profiles[p.sample].genotypes if p.sample else {}
        triples = []
        for m, (a, b) in genos.items():
            alleles = table.alleles(m)
            triples += [str(alleles.index(a)), str(alleles.index(b if b is not None else a)), str(markers.index(m))]
        out += [str(len(triples) // 3), *triples]
    ids = [p.id for p in ped.persons]
    rels = []
    for p in ped.persons:
        if p.father and p.mother:
            rels += [str(ids.index(p.father)), str(ids.index(p.id)), str(ids.index(p.mother)), str(ids.index(p.id))]
    out += [_q("Known relations"), "0", "0", str(len(rels) // 2), *rels, "0"]
    out += ["#FALSE# (#Databases: 1 ;Theta/Kinship/Fst: 0 )", str(len(markers)), "#TRUE#", _q(table.name)]
    codes = {"equal": 0, "proportional": 1, "stepwise": 2}
    for m in markers:
        model = (mutation or {}).get(m)
        rate, code = (model.rate, codes[model.kind]) if model else (0.0, 0)
        rng, rate2 = (model.range, model.rate2) if model else (0.0, 0.0)
        alleles = table.alleles(m)
        out += [_q(m), repr(rate), repr(rate), str(code), str(code), str(len(alleles)), repr(rng), repr(rng)]
        out += [repr(rate2), repr(rate2), "#FALSE#", "0", f"{len(alleles)}\t(DatabaseSize = 1000 )"]
        for a in alleles:
            out += [_q(a), repr(table.markers[m][a])]
    return "\n".join(out) + "\n"
