"""A simulated disaster for identification tests and the bench: families, references and remains.

Frequencies: the 21 autosomal loci of current kits (GlobalFiler / PowerPlex Fusion names) with alleles
and frequencies generated here, not published: 8-20 consecutive repeat numbers per locus with a
Dirichlet draw whose mean is a bell over the repeats, so a few alleles are common and the tails rare
(heterozygosity ~0.7-0.9, as in real kits). Seeded, so every run builds the same table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hague.identify.frequencies import FrequencyTable
from hague.identify.mutation import MutationModel
from hague.identify.pedigree import Pedigree, Person
from hague.identify.profiles import Profile, genotype
from hague.identify.screening import Family

LOCI = (
    "D3S1358", "vWA", "D16S539", "CSF1PO", "TPOX", "D8S1179", "D21S11", "D18S51", "D2S441", "D19S433", "TH01",
    "FGA", "D22S1045", "D5S818", "D13S317", "D7S820", "D10S1248", "D1S1656", "D12S391", "D2S1338", "SE33",
)  # fmt: skip
MUTATION_RATE = 0.002


def frequency_table(seed: int = 21) -> FrequencyTable:
    """21 loci, 8-20 alleles each, Dirichlet frequencies around a bell-shaped mean."""
    rng = np.random.default_rng(seed)
    markers: dict[str, dict[str, float]] = {}
    for locus in LOCI:
        n = int(rng.integers(8, 21))
        start = int(rng.integers(5, 15))
        x = np.arange(n)
        mean = np.exp(-0.5 * ((x - n / 2) / (n / 5)) ** 2) + 0.02
        freqs = rng.dirichlet(60 * mean / mean.sum())
        freqs = np.maximum(freqs, 0.002)
        freqs /= freqs.sum()
        markers[locus] = {str(start + i): float(f) for i, f in enumerate(freqs)}
    return FrequencyTable("simulated", markers)


def mutation_models() -> dict[str, MutationModel]:
    """The proportional model at 0.2 % per transmission on every locus (used to simulate and to screen)."""
    return {locus: MutationModel("proportional", MUTATION_RATE) for locus in LOCI}


# pedigree templates: (persons as (id, father, mother, sex, typed, missing)); 1-4 typed references each
TEMPLATES: list[list[tuple[str, str | None, str | None, str, bool, bool]]] = [
    # father typed, missing child
    [("FA", None, None, "male", True, False), ("MO", None, None, "female", False, False),
     ("MP1", "FA", "MO", "male", False, True)],
    # both parents typed
    [("FA", None, None, "male", True, False), ("MO", None, None, "female", True, False),
     ("MP1", "FA", "MO", "female", False, True)],
    # mother and a sibling typed
    [("FA", None, None, "male", False, False), ("MO", None, None, "female", True, False),
     ("S1", "FA", "MO", "female", True, False), ("MP1", "FA", "MO", "male", False, True)],
    # two siblings and the mother typed
    [("FA", None, None, "male", False, False), ("MO", None, None, "female", True, False),
     ("S1", "FA", "MO", "female", True, False), ("S2", "FA", "MO", "male", True, False),
     ("MP1", "FA", "MO", "male", False, True)],
    # missing father: wife and two children typed
    [("MP1", None, None, "male", False, True), ("WI", None, None, "female", True, False),
     ("C1", "MP1", "WI", "female", True, False), ("C2", "MP1", "WI", "male", True, False)],
    # both parents and a sibling, plus the sibling's child
    [("FA", None, None, "male", True, False), ("MO", None, None, "female", True, False),
     ("S1", "FA", "MO", "male", True, False), ("SW", None, None, "female", False, False),
     ("N1", "S1", "SW", "female", True, False), ("MP1", "FA", "MO", "female", False, True)],
    # a family killed together: father and a child missing; mother and another child typed
    [("MP1", None, None, "male", False, True), ("WI", None, None, "female", True, False),
     ("C1", "MP1", "WI", "female", True, False), ("MP2", "MP1", "WI", "male", False, True),
     ("GF", None, None, "male", False, False), ("GM", None, None, "female", True, False),
     ("B1", "GF", "GM", "male", True, False)],
]  # fmt: skip
# in the last template MP1 is GF and GM's son: fix his parents
TEMPLATES[6][0] = ("MP1", "GF", "GM", "male", False, True)


@dataclass
class Disaster:
    """Families with references, remains profiles and sexes, and the truth (remains -> family, MP)."""

    table: FrequencyTable
    families: list[Family]
    remains: list[Profile]
    sexes: dict[str, str]
    truth: dict[str, tuple[str, str]] = field(default_factory=dict)


def _simulate(ped: Pedigree, table: FrequencyTable, rng: np.random.Generator) -> dict[str, dict[str, tuple[str, str]]]:
    models = mutation_models()
    out: dict[str, dict[str, tuple[str, str]]] = {p.id: {} for p in ped.persons}
    for locus in LOCI:
        alleles = table.alleles(locus)
        freqs = np.array([table.markers[locus][a] for a in alleles])
        mut = models[locus].matrix(alleles, freqs)
        for person in ped.persons:
            if person.father is None or person.mother is None:
                pair = rng.choice(len(alleles), size=2, p=freqs)
            else:
                pair = np.array(
                    [
                        rng.choice(len(alleles), p=mut[alleles.index(out[parent][locus][rng.integers(2)])])
                        for parent in (person.father, person.mother)
                    ]
                )
            out[person.id][locus] = (alleles[pair[0]], alleles[pair[1]])
    return out


def _profile(sample: str, genos: dict[str, tuple[str, str]]) -> Profile:
    profile = Profile(sample)
    for locus, (a, b) in genos.items():
        g = genotype(a, b)
        assert g is not None
        profile.genotypes[locus] = g
    return profile


def disaster(
    families: int = 200,
    remains: int = 300,
    unrelated_share: float = 0.25,
    dropout_share: float = 0.15,
    seed: int = 8,
) -> Disaster:
    """Build the simulated disaster: `remains` samples, `unrelated_share` of them from no family."""
    rng = np.random.default_rng(seed)
    table = frequency_table()
    fams: list[Family] = []
    missing: list[tuple[str, str, str, dict[str, tuple[str, str]]]] = []
    for n in range(families):
        fid = f"FAM{n:04d}"
        template = TEMPLATES[int(rng.integers(len(TEMPLATES)))]
        ped = Pedigree(
            fid,
            [
                Person(pid, fa, mo, sex, f"{fid}-{pid}" if typed else None, miss)
                for pid, fa, mo, sex, typed, miss in template
            ],
        )
        genos = _simulate(ped, table, rng)
        refs = {p.sample: _profile(p.sample, genos[p.id]) for p in ped.typed if p.sample}
        fams.append(Family(ped, refs))
        missing += [(fid, p.id, p.sex, genos[p.id]) for p in ped.persons if p.missing]
    out = Disaster(table, fams, [], {})
    n_related = min(len(missing), round(remains * (1 - unrelated_share)))
    chosen = rng.choice(len(missing), size=n_related, replace=False)
    order = rng.permutation(remains)
    for slot, idx in enumerate(chosen):
        fid, pid, sex, genos = missing[idx]
        sample = f"PM{order[slot]:05d}"
        out.truth[sample] = (fid, pid)
        out.remains.append(_profile(sample, genos))
        out.sexes[sample] = sex
    loner = Pedigree("X", [Person("U", sex="unknown")])
    for slot in range(n_related, remains):
        sample = f"PM{order[slot]:05d}"
        out.remains.append(_profile(sample, _simulate(loner, table, rng)["U"]))
        out.sexes[sample] = ["male", "female"][int(rng.integers(2))]
    for profile in out.remains:
        if rng.random() < dropout_share:
            loci = rng.choice(LOCI, size=int(rng.integers(1, 6)), replace=False)
            for locus in loci:
                a, b = profile.genotypes[str(locus)]
                if rng.random() < 0.5:
                    del profile.genotypes[str(locus)]
                else:
                    profile.genotypes[str(locus)] = (a if rng.random() < 0.5 else b or a, None)
    out.remains.sort(key=lambda p: p.sample_id)
    return out
