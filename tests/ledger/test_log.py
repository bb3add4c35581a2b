"""Appending: canonical bodies, stored leaves and perfect subtrees agree with an in-memory rebuild."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from hague import ledger
from hague.core import Hague
from hague.ledger.canonical import canonical_json
from hague.ledger.log import entry_body
from hague.ledger.rfc9162 import leaf_hash, root_from_leaves
from hague.ledger.tree import StoredTree, inclusion_proof, root_at

simple = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63), st.text(max_size=20))


@given(fields=st.dictionaries(st.text(max_size=10), simple, max_size=6))
def test_the_fast_entry_encoding_equals_canonical_json(fields: dict[str, object]) -> None:
    fields = {k: v for k, v in fields.items() if k not in ("type", "v")}
    assert entry_body("area.event", fields) == canonical_json({"type": "area.event", "v": 1, **fields})


@given(fields=st.dictionaries(st.text(max_size=5), st.lists(simple, max_size=3), min_size=1, max_size=3))
def test_nested_fields_go_through_canonical_json(fields: dict[str, object]) -> None:
    fields = {k: v for k, v in fields.items() if k not in ("type", "v")}
    assert entry_body("area.event", fields) == canonical_json({"type": "area.event", "v": 1, **fields})


def test_group_commit_stores_every_leaf_and_perfect_subtree(hague: Hague) -> None:
    bodies: list[bytes] = []
    for start in (0, 7, 40):
        batch = [("test.entry", {"n": i}) for i in range(start, start + (7 if start == 0 else 33))]
        with hague.unit() as unit:
            appended = ledger.append_many(unit.session, batch)
        assert [a.seq for a in appended] == list(range(start, start + len(batch)))
        bodies += [entry_body(k, f) for k, f in batch]
    leaves = [leaf_hash(b) for b in bodies]
    expected = StoredTree.from_leaves(leaves)
    with hague.reader() as session:
        assert ledger.root_hash(session) == root_from_leaves(leaves) == root_at(session, len(leaves))
        nodes = session.execute(text("SELECT level, idx, hash FROM log_nodes")).all()
        assert inclusion_proof(session, 17, 50) == expected.inclusion_proof(17, 50)
    assert sorted((lv, i, bytes(h)) for lv, i, h in nodes) == sorted(
        (lv, i, h) for lv in range(1, len(expected.levels)) for i, h in enumerate(expected.levels[lv])
    )
