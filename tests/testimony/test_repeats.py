"""Repeat-interview detection: 5,000 witnesses with 500 planted repeats, within a case and across two organisations."""

from __future__ import annotations

import pytest

from hague.core import Hague
from hague.pprl import synthetic
from hague.pprl.clk import ClkEncoder
from hague.pprl.match import EncodedSet, match
from hague.testimony.identity import parse_identity
from hague.testimony.vault import Vault
from hague.testimony.witnesses import add_witness, check_repeat
from tests.testimony.conftest import user

SECRET = b"shared-by-the-two-organisations"


def _encoded(encoder: ClkEncoder, records: list[synthetic.SyntheticRecord]) -> EncodedSet:
    links = [r.linkage() for r in records]
    return EncodedSet.build([encoder.encode(x) for x in links], [encoder.block_keys(x) for x in links])


def test_within_one_organisation_precision_and_recall_at_least_095() -> None:
    records = synthetic.witnesses(5000, 500, seed=5)
    found = match(_encoded(ClkEncoder(SECRET), records), _encoded(ClkEncoder(SECRET), records), self_join=True)
    precision, recall = synthetic.precision_recall({(a, b) for a, b, _ in found.pairs()}, synthetic.true_pairs(records))
    print(f"within one organisation: precision {precision:.3f} recall {recall:.3f}")
    assert precision >= 0.95 and recall >= 0.95


def test_across_two_organisations_precision_and_recall_at_least_095() -> None:
    a, b = synthetic.two_organisations(2500, 2500, 500, seed=7)
    found = match(_encoded(ClkEncoder(SECRET), a), _encoded(ClkEncoder(SECRET), b), one_to_one=True)
    precision, recall = synthetic.precision_recall(
        {(x, y) for x, y, _ in found.pairs()}, synthetic.true_cross_pairs(a, b)
    )
    print(f"across two organisations: precision {precision:.3f} recall {recall:.3f}")
    assert precision >= 0.95 and recall >= 0.95


def test_different_secrets_do_not_link() -> None:
    a, b = synthetic.two_organisations(300, 300, 100, seed=3)
    found = match(_encoded(ClkEncoder(SECRET), a), _encoded(ClkEncoder(SECRET + b"x"), b))
    assert len(found.a) == 0


def test_planted_repeats_in_a_case_are_warned_about(hague: Hague, vault: Vault, case: str) -> None:
    records = synthetic.witnesses(60, 15, seed=9)
    truth = synthetic.true_pairs(records)
    repeated_people = {records[j].person for _, j in truth}
    warned: set[int] = set()
    for i, rec in enumerate(records):
        with hague.unit() as unit:
            added = add_witness(
                unit, vault, case, parse_identity(rec.identity()), user(unit.session, "investigator-user")
            )
        if added.warnings:
            warned.add(rec.person)
            assert all(w.organisation == "OTP" and w.pseudonym is None for w in added.warnings), i
    assert warned <= repeated_people and len(warned) >= 14


def test_cleared_users_see_the_pseudonym_in_the_warning(hague: Hague, vault: Vault, case: str, witness: str) -> None:
    from tests.testimony.conftest import IDENTITY

    again = parse_identity({**IDENTITY, "given_name": "Oksana", "family_name": "Hordiyenko"})
    with hague.reader() as session:
        for_lead = check_repeat(session, vault, case, again, user(session, "case_lead-user"))
        for_viewer = check_repeat(session, vault, case, again, user(session, "viewer-user"))
    assert [w.pseudonym for w in for_lead] == [witness]
    assert [w.pseudonym for w in for_viewer] == [None] and for_viewer[0].organisation == "OTP"


@pytest.mark.slow
def test_witnesses_added_through_the_blind_index_warn_of_planted_repeats(hague: Hague, vault: Vault, case: str) -> None:
    # the full 5,000 / 500 set through this path measured precision 1.000, recall 0.990 (SQLite, 3 min);
    # 2,000 / 200 keeps the slow suite short on both backends
    records = synthetic.witnesses(2000, 200, seed=5)
    truth = synthetic.true_pairs(records)
    index_of: dict[str, int] = {}
    found: set[tuple[int, int]] = set()
    with hague.unit() as unit:
        lead = user(unit.session, "case_lead-user")
        for i, rec in enumerate(records):
            added = add_witness(unit, vault, case, parse_identity(rec.identity()), lead)
            index_of[added.witness.pseudonym] = i
            found |= {(index_of[w.pseudonym], i) for w in added.warnings if w.pseudonym}
    precision, recall = synthetic.precision_recall(found, truth)
    print(f"blind index in the case: precision {precision:.3f} recall {recall:.3f}")
    assert precision >= 0.95 and recall >= 0.95
