"""Fixtures: a case with an investigator, a case lead (the identification board's secretary) and a viewer."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hague.access.roles import create_user, grant_role
from hague.core import Hague
from hague.identify.pedigree import pedigrees_csv
from hague.identify.profiles import RemainsInfo, profiles_csv
from hague.identify.screening import Family
from hague.identify.store import store_frequencies, store_pedigrees, store_profiles, store_remains
from tests.identify.disaster import Disaster, disaster, mutation_models


@dataclass
class Team:
    """Who acts on the case."""

    case: str
    investigator: str = "ivan"
    lead: str = "lena"
    viewer: str = "vera"


@pytest.fixture
def team(hague: Hague, case_code: str) -> Team:
    with hague.unit() as unit:
        for name, role in (("ivan", "investigator"), ("lena", "case_lead"), ("vera", "viewer")):
            create_user(unit, name, name.title(), "OTP")
            grant_role(unit, case_code, name, role)
    return Team(case_code)


@pytest.fixture(scope="module")
def small_disaster() -> Disaster:
    return disaster(families=6, remains=8, seed=11)


def load_disaster(hague: Hague, team: Team, d: Disaster) -> None:
    """Store a simulated disaster in the case through the library (as `hague identify import` does)."""
    with hague.unit() as unit:
        store_frequencies(unit, team.case, d.table, team.investigator, mutation_models())
        remains = {p.sample_id: RemainsInfo(p.sample_id, d.sexes[p.sample_id]) for p in d.remains}
        store_remains(unit, team.case, remains, team.investigator)
        store_pedigrees(unit, team.case, {f.pedigree.family_id: f.pedigree for f in d.families}, team.investigator)
        profiles = {p.sample_id: p for p in d.remains}
        for fam in d.families:
            profiles.update(fam.references)
        store_profiles(unit, team.case, profiles, team.investigator)


def disaster_files(d: Disaster) -> dict[str, str]:
    """The disaster as the CSV files a lab would hand over."""
    freq = ["marker,allele,frequency"] + [
        f"{m},{a},{f!r}" for m, table in d.table.markers.items() for a, f in table.items()
    ]
    remains = ["sample_id,sex"] + [f"{p.sample_id},{d.sexes[p.sample_id]}" for p in d.remains]
    refs: list = [p for f in d.families for p in f.references.values()]
    return {
        "frequencies.csv": "\n".join(freq) + "\n",
        "remains.csv": "\n".join(remains) + "\n",
        "pedigrees.csv": pedigrees_csv([f.pedigree for f in d.families]),
        "profiles.csv": profiles_csv([*d.remains, *refs]),
    }


def families_of(d: Disaster) -> list[Family]:
    return d.families
