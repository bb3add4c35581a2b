"""An independent brute-force pedigree likelihood: enumerate founder alleles and every transmission.

Deliberately naive (depth-first over persons, no elimination, no lumping) so it shares no logic with
`hague.identify.likelihood` beyond the model definition.
"""

from __future__ import annotations

import numpy as np

Persons = list[tuple[str, str | None, str | None]]  # id, father, mother (parents listed earlier)


def brute_joint(
    persons: Persons,
    data: dict[str, tuple[int, int | None]],
    freqs: list[float],
    mut: np.ndarray,
    theta: float,
    target: str | None,
) -> np.ndarray:
    """J[x, y] = P(data, target alleles (x, y)); with no target, a 1x1 array holding P(data)."""
    k = len(freqs)
    out = np.zeros((k, k)) if target else np.zeros((1, 1))
    alleles: dict[str, tuple[int, int]] = {}
    founder_draws: list[int] = []

    def draw_prob(a: int) -> float:
        j = len(founder_draws)
        seen = founder_draws.count(a)
        return (seen * theta + (1 - theta) * freqs[a]) / (1 + (j - 1) * theta)

    def consistent(pid: str, pat: int, mat: int) -> bool:
        if pid not in data:
            return True
        a, b = data[pid]
        if b is None:
            return a in (pat, mat)
        return sorted((pat, mat)) == sorted((a, b))

    def visit(i: int, prob: float) -> None:
        if prob == 0:
            return
        if i == len(persons):
            if target:
                x, y = alleles[target]
                out[x, y] += prob
            else:
                out[0, 0] += prob
            return
        pid, father, mother = persons[i]
        if father is None or mother is None:
            for pat in range(k):
                p1 = draw_prob(pat)
                founder_draws.append(pat)
                for mat in range(k):
                    p2 = draw_prob(mat)
                    founder_draws.append(mat)
                    if consistent(pid, pat, mat):
                        alleles[pid] = (pat, mat)
                        visit(i + 1, prob * p1 * p2)
                    founder_draws.pop()
                founder_draws.pop()
            return
        for pick_f in (0, 1):
            for pat in range(k):
                pf = 0.5 * mut[alleles[father][pick_f], pat]
                for pick_m in (0, 1):
                    for mat in range(k):
                        pm = 0.5 * mut[alleles[mother][pick_m], mat]
                        if consistent(pid, pat, mat):
                            alleles[pid] = (pat, mat)
                            visit(i + 1, prob * pf * pm)

    visit(0, 1.0)
    return out
