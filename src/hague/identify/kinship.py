"""Pairwise kinship statistics from IBD coefficients, with the Balding–Nichols theta correction.

P(G1, G2 | kappa) = k0 P(G1, G2 | 0 IBD) + k1 P(G1, G2 | 1 IBD) + k2 P(G1, G2 | 2 IBD), where under
j alleles IBD the pair carries 4 - j founder alleles drawn jointly from the urn (Weir, Evett & Weir ch. 7).
"""

from __future__ import annotations

from itertools import permutations

from hague.errors import ValidationError
from hague.identify.profiles import Genotype

# (k0, k1, k2): probabilities that the pair shares 0, 1, 2 alleles identical by descent
RELATIONSHIPS: dict[str, tuple[float, float, float]] = {
    "identical": (0.0, 0.0, 1.0),
    "parent-child": (0.0, 1.0, 0.0),
    "full-siblings": (0.25, 0.5, 0.25),
    "half-siblings": (0.5, 0.5, 0.0),
    "grandparent": (0.5, 0.5, 0.0),
    "avuncular": (0.5, 0.5, 0.0),
    "first-cousins": (0.75, 0.25, 0.0),
    "unrelated": (1.0, 0.0, 0.0),
}


def urn(alleles: tuple[str, ...], freqs: dict[str, float], theta: float) -> float:
    """Probability of drawing this ordered allele sequence from a subpopulation (Balding–Nichols)."""
    prob = 1.0
    for j, a in enumerate(alleles):
        seen = sum(1 for b in alleles[:j] if b == a)
        prob *= (seen * theta + (1 - theta) * freqs[a]) / (1 + (j - 1) * theta)
    return prob


def _orderings(g: tuple[str, str]) -> set[tuple[str, str]]:
    return {(x, y) for x, y in permutations(g)}


def pair_probability(
    g1: Genotype, g2: Genotype, freqs: dict[str, float], kappa: tuple[float, float, float], theta: float = 0.0
) -> float:
    """P(G1, G2 | IBD coefficients kappa), exact under the urn model; both genotypes fully observed."""
    if g1[1] is None or g2[1] is None:
        raise ValidationError("pairwise kinship needs both alleles of each genotype", field="allele")
    a = (g1[0], g1[1])
    b = (g2[0], g2[1])
    for allele in (*a, *b):
        if allele not in freqs:
            raise ValidationError(f"allele {allele} missing from the frequency database", field="allele")
    k0, k1, k2 = kappa
    total = 0.0
    if k0:
        # four founder alleles: person 1 gets (x1, x2), person 2 gets (y1, y2)
        total += k0 * sum(urn((*x, *y), freqs, theta) for x in _orderings(a) for y in _orderings(b))
    if k1:
        # three founder alleles: z shared, u to person 1 only, v to person 2 only
        p1 = sum(urn((z, u, v), freqs, theta) for z, u in _orderings(a) for w, v in _orderings(b) if w == z)
        total += k1 * p1
    if k2 and sorted(a) == sorted(b):
        total += k2 * sum(urn(x, freqs, theta) for x in _orderings(a))
    return total


def kinship_lr(g1: Genotype, g2: Genotype, freqs: dict[str, float], relationship: str, theta: float = 0.0) -> float:
    """LR of `relationship` against unrelated for two single-marker genotypes."""
    if relationship not in RELATIONSHIPS:
        raise ValidationError(f"relationship must be one of {', '.join(RELATIONSHIPS)}", field="relationship")
    unrelated = pair_probability(g1, g2, freqs, RELATIONSHIPS["unrelated"], theta)
    return pair_probability(g1, g2, freqs, RELATIONSHIPS[relationship], theta) / unrelated


def match_probability(g: Genotype, freqs: dict[str, float], theta: float = 0.0) -> float:
    """P(a second, unrelated person has genotype g | the first has it): the NRC II 4.10 formulas."""
    both = pair_probability(g, g, freqs, RELATIONSHIPS["unrelated"], theta)
    single = sum(urn(x, freqs, theta) for x in _orderings((g[0], g[1] or g[0])))
    return both / single


def identity_lr(g_reference: Genotype, g_remains: Genotype, freqs: dict[str, float], theta: float = 0.0) -> float:
    """Direct match against a personal-effect reference: 1 / match probability if the genotypes agree, else 0."""
    if sorted(map(str, g_reference)) != sorted(map(str, g_remains)):
        return 0.0
    return 1.0 / match_probability(g_remains, freqs, theta)
