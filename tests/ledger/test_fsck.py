"""`hague verify`: a clean instance verifies; each kind of damage is found and named; runs resume."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from hague.core import Hague
from hague.ledger.checkpoints import create_checkpoint
from hague.ledger.fsck import Interrupted, verify
from hague.ledger.log import log_size
from tests.ledger.conftest import Populated


def _exec(hague: Hague, sql: str, **params: object) -> None:
    with hague.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_a_clean_instance_verifies_and_the_run_is_logged(hague: Hague, populated: Populated) -> None:
    with hague.reader() as session:
        before = log_size(session)
    report = verify(hague)
    assert report.ok, report.findings
    assert report.counts["records"] == before
    assert report.counts["blobs"] == len(populated.blobs)
    with hague.reader() as session:
        assert log_size(session) == before + 1
        kind = session.execute(text("SELECT kind FROM log_entries ORDER BY seq DESC LIMIT 1")).scalar()
    assert kind == "log.verified"
    assert verify(hague).ok  # the log.verified entry itself has a record check


def test_a_changed_item_field_is_named_by_its_ern(hague: Hague, populated: Populated) -> None:
    _exec(hague, "UPDATE items SET title = 'Photo X' WHERE ern = :e", e=populated.erns[1])
    report = verify(hague, blobs=False)
    assert [(f.kind, populated.erns[1] in f.subject) for f in report.findings] == [("record", True)]


def test_a_flipped_blob_byte_is_named_by_its_digest(hague: Hague, populated: Populated) -> None:
    path = hague.store.path_of(populated.blobs[2])  # type: ignore[attr-defined]
    path.chmod(0o600)
    data = bytearray(path.read_bytes())
    data[3] ^= 0x01
    path.write_bytes(bytes(data))
    report = verify(hague, records=False)
    assert [f.kind for f in report.findings] == ["blob"]
    assert populated.blobs[2] in report.findings[0].subject


def test_a_changed_leaf_is_named_by_its_index(hague: Hague, populated: Populated) -> None:
    _exec(hague, "UPDATE log_entries SET leaf_hash = :h WHERE seq = 3", h=b"\x00" * 32)
    report = verify(hague, blobs=False, records=False)
    assert [(f.kind, f.subject.startswith("log entry #3 ")) for f in report.findings] == [("leaf", True)]


def test_a_changed_entry_body_breaks_its_leaf_and_the_signed_root(hague: Hague, populated: Populated) -> None:
    _exec(hague, "UPDATE log_entries SET body = :b WHERE seq = 2", b=b'{"type":"case.opened","v":1}')
    kinds = {f.kind for f in verify(hague, blobs=False).findings}
    assert {"leaf", "checkpoint"} <= kinds


def test_a_changed_stored_node_is_named_by_level_and_index(hague: Hague, populated: Populated) -> None:
    _exec(hague, "UPDATE log_nodes SET hash = :h WHERE level = 4 AND idx = 0", h=b"\x11" * 32)
    report = verify(hague, blobs=False, records=False)
    assert [(f.kind, f.subject) for f in report.findings] == [("node", "stored node level 4 index 0")]


def test_a_deleted_record_row_is_named(hague: Hague, populated: Populated) -> None:
    _exec(hague, "DELETE FROM files WHERE derived_from_id IS NOT NULL")
    report = verify(hague, blobs=False)
    assert [f.kind for f in report.findings] == ["record missing"]
    assert "derivative.added" in report.findings[0].subject


def test_a_row_without_its_entry_is_named(hague: Hague, populated: Populated) -> None:
    _exec(
        hague,
        "INSERT INTO organisations (code, name, created_at) VALUES ('ROGUE', 'Never attested', '2026-01-01 00:00:00')",
    )
    report = verify(hague, blobs=False)
    assert [(f.kind, f.subject) for f in report.findings] == [("row without entry", "organisation ROGUE")]


def test_a_deleted_entry_is_named(hague: Hague, populated: Populated) -> None:
    _exec(hague, "DELETE FROM log_entries WHERE seq = 5")
    report = verify(hague, blobs=False, records=False)
    assert ("entry missing", "log entry #5") in [(f.kind, f.subject) for f in report.findings]


def test_a_resumed_run_finishes_with_the_same_result(hague: Hague, populated: Populated) -> None:
    _exec(hague, "UPDATE log_nodes SET hash = :h WHERE level = 4 AND idx = 0", h=b"\x22" * 32)
    with pytest.raises(Interrupted):
        verify(hague, batch=4, stop_after=3)
    report = verify(hague, resume=True, batch=4)
    assert [(f.kind, f.subject) for f in report.findings] == [("node", "stored node level 4 index 0")]
    assert report.counts["entries"] == report.size


def test_checkpoints_are_checked_for_consistency_and_signature(hague: Hague, populated: Populated) -> None:
    create_checkpoint(hague, force=True)
    _exec(
        hague, "UPDATE log_checkpoints SET note = replace(note, 'hague.example/log', 'evil.example/log') WHERE id = 1"
    )
    kinds = [f.kind for f in verify(hague, blobs=False, records=False).findings]
    assert kinds == ["checkpoint"]


def test_the_scheduled_verify_runs_when_due_and_resumes_interrupted_runs(hague: Hague, populated: Populated) -> None:
    from datetime import timedelta

    from hague.ledger.fsck import run_scheduled_verify

    first = run_scheduled_verify(hague, every=timedelta(hours=1))
    assert first is not None and first.ok
    assert run_scheduled_verify(hague, every=timedelta(hours=1)) is None
    with pytest.raises(Interrupted):
        verify(hague, batch=4, stop_after=2)
    resumed = run_scheduled_verify(hague, every=timedelta(hours=1))
    assert resumed is not None and resumed.ok
