"""Appending: canonical bodies, stored leaves and perfect subtrees agree with an in-memory rebuild; queued
entries follow their transaction (visible inside it, gone with it or with a rolled-back savepoint)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

from hague import ledger
from hague.core import Hague
from hague.errors import IntegrityError
from hague.evidence import register
from hague.ledger.canonical import canonical_json
from hague.ledger.log import NODE_LEVELS, entry_body
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


def test_group_commit_stores_every_leaf_and_the_subtrees_of_every_fourth_level(hague: Hague) -> None:
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
    stored_levels = range(NODE_LEVELS, len(expected.levels), NODE_LEVELS)
    assert sorted((lv, i, bytes(h)) for lv, i, h in nodes) == sorted(
        (lv, i, h) for lv in stored_levels for i, h in enumerate(expected.levels[lv])
    )
    assert len(nodes) == len(leaves) // 16


def _bodies(hague: Hague) -> list[bytes]:
    with hague.reader() as session:
        return [bytes(b) for b in session.execute(text("SELECT body FROM log_entries ORDER BY seq")).scalars()]


def _assert_tree_matches_entries(hague: Hague) -> None:
    leaves = [leaf_hash(b) for b in _bodies(hague)]
    with hague.reader() as session:
        assert ledger.log_size(session) == len(leaves)
        assert ledger.root_hash(session) == root_from_leaves(leaves)
        assert StoredTree().refresh(session) == len(leaves)  # every stored node agrees with the leaves


def test_entries_are_visible_to_their_own_transaction_before_it_commits(hague: Hague) -> None:
    with hague.unit() as unit:
        first = unit.attest("test.entry", {"n": 0})
        for i in range(1, 40):
            unit.attest("test.entry", {"n": i})
        assert ledger.log_size(unit.session) == first.seq + 40
        count = unit.session.execute(text("SELECT count(*) FROM log_entries")).scalar()
        assert count == first.seq + 40
        assert unit.session.execute(text("SELECT count(*) FROM log_nodes")).scalar() == (first.seq + 40) // 16
        last = unit.attest("test.entry", {"n": 40})
    assert last.seq == first.seq + 40
    _assert_tree_matches_entries(hague)


def test_a_rolled_back_unit_leaves_neither_records_nor_entries(hague: Hague) -> None:
    with hague.unit() as unit:
        unit.attest("test.entry", {"n": 0})
    with pytest.raises(RuntimeError), hague.unit() as unit:
        register.create_organisation(unit, "GONE", "Never committed")
        for i in range(20):
            unit.attest("test.entry", {"n": i})
        raise RuntimeError("abort")
    with hague.unit() as unit:
        assert unit.attest("test.entry", {"n": 1}).seq == 1
    with hague.reader() as session:
        assert session.execute(text("SELECT count(*) FROM organisations WHERE code = 'GONE'")).scalar() == 0
    _assert_tree_matches_entries(hague)


def test_a_rolled_back_savepoint_drops_only_its_own_entries(hague: Hague) -> None:
    with hague.unit() as unit:
        kept = [unit.attest("test.entry", {"n": i}).seq for i in range(5)]
        with pytest.raises(RuntimeError), unit.session.begin_nested():
            unit.attest("test.dropped", {"n": 99})
            raise RuntimeError("abort the savepoint")
        with unit.session.begin_nested():
            kept.append(unit.attest("test.entry", {"n": 5}).seq)
        kept.append(unit.attest("test.entry", {"n": 6}).seq)
    assert kept == list(range(7))
    assert [b'"test.dropped"' in b for b in _bodies(hague)] == [False] * 7
    _assert_tree_matches_entries(hague)


def test_a_log_write_that_fails_at_commit_rolls_the_records_back(hague: Hague) -> None:
    with hague.unit() as unit:
        unit.attest("test.entry", {"n": 0})
    with hague.engine.begin() as conn:  # a stray row where the next entry must go
        conn.execute(
            text("INSERT INTO log_entries (seq, kind, body, leaf_hash, created_at) VALUES (1, 'x', :b, :h, :t)"),
            {"b": b"{}", "h": b"\0" * 32, "t": "2026-01-01 00:00:00"},
        )
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"), hague.unit() as unit:
        register.create_organisation(unit, "LOST", "Rolled back with its entry")
    with hague.reader() as session:
        assert session.execute(text("SELECT count(*) FROM organisations WHERE code = 'LOST'")).scalar() == 0
        assert ledger.log_size(session) == 1


def test_appends_on_a_core_connection_are_written_when_it_commits(hague: Hague) -> None:
    with hague.engine.begin() as conn:
        session = Session(bind=conn)
        appended = ledger.append_many(session, [("test.entry", {"n": i}) for i in range(20)])
    assert [a.seq for a in appended] == list(range(20))
    _assert_tree_matches_entries(hague)


def test_the_stored_tree_refuses_a_stored_node_that_disagrees_with_the_leaves(hague: Hague) -> None:
    with hague.unit() as unit:
        ledger.append_many(unit.session, [("test.entry", {"n": i}) for i in range(40)])
    with hague.engine.begin() as conn:
        conn.execute(text("UPDATE log_nodes SET hash = :h WHERE level = 4 AND idx = 1"), {"h": b"\1" * 32})
    with hague.reader() as session, pytest.raises(IntegrityError, match="stored node level 4 index 1"):
        StoredTree().refresh(session)


def test_a_huge_unit_writes_its_queue_on_the_way_and_stays_whole(hague: Hague) -> None:
    with hague.unit() as unit:
        appended = ledger.append_many(unit.session, [("test.entry", {"n": i}) for i in range(50_020)])
    assert appended[-1].seq == 50_019
    _assert_tree_matches_entries(hague)


def _refs(hague: Hague) -> set[tuple[str, int]]:
    from sqlalchemy import select

    from hague.ledger.models import LogRef

    with hague.reader() as session:
        return {(ern, seq) for ern, seq in session.execute(select(LogRef.ern, LogRef.seq))}


def test_entries_naming_an_item_are_indexed_by_its_ern_in_their_transaction(hague: Hague) -> None:
    with hague.unit() as unit:
        named = unit.attest("test.entry", {"ern": "UKR-OTP-0001-0001", "n": 1})
        unit.attest("test.entry", {"n": 2})
        unit.attest("test.entry", {"ern": 7})  # not an ERN: not indexed
    assert _refs(hague) == {("UKR-OTP-0001-0001", named.seq)}


def test_a_rolled_back_transaction_leaves_no_index_rows(hague: Hague) -> None:
    with pytest.raises(RuntimeError), hague.unit() as unit:
        unit.attest("test.entry", {"ern": "UKR-OTP-0001-0001"})
        raise RuntimeError("abandoned")
    assert _refs(hague) == set()


def test_the_migration_indexes_the_entries_already_in_the_log(tmp_path) -> None:
    from alembic import command

    from hague.db.engine import alembic_config, migrate
    from hague.settings import Settings

    hague = Hague.open(Settings(data_dir=tmp_path))
    try:
        with hague.unit() as unit:
            expected = {
                (f"UKR-OTP-0001-{i:04d}", unit.attest("test.entry", {"ern": f"UKR-OTP-0001-{i:04d}"}).seq)
                for i in range(5)
            }
        cfg = alembic_config(hague.engine.url.render_as_string(hide_password=False))
        with hague.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "ledger_0003")
        migrate(hague.engine)
        assert _refs(hague) == expected
    finally:
        hague.close()
