"""The acceptance round trip across two instances and a witness: create → bundle → verify → import →
custody continues → bundle again from the receiver → verify with the keys of both."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import bagit
import pytest
from sqlalchemy import select
from tests.bundle.conftest import SENDER_ORIGIN, World

from hague.access.roles import get_user
from hague.bundle.collect import Selection
from hague.bundle.create import create_bundle
from hague.bundle.layout import b64
from hague.bundle.models import BundleImport, ExternalReference
from hague.bundle.receive import import_bundle
from hague.bundle.verify import parse_trust, verify_path
from hague.custody.events import record
from hague.custody.inputs import EventInput
from hague.custody.models import CustodyEvent, CustodyState
from hague.evidence.models import Item
from hague.ledger.fsck import verify as fsck
from hague.ledger.log import log_size
from hague.ledger.models import LogEntry


def _entries(hague_session: object, kind: str) -> list[dict[str, object]]:
    from sqlalchemy.orm import Session

    assert isinstance(hague_session, Session)
    return [json.loads(b) for b in hague_session.scalars(select(LogEntry.body).where(LogEntry.kind == kind))]


@pytest.mark.slow
def test_round_trip_between_two_instances_with_a_witness(world: World, tmp_path: Path) -> None:
    a, b, data = world.sender, world.receiver, world.data
    erns = (*data.digital, data.physical, data.testimony)
    first = create_bundle(a, Selection(data.case, erns, recipient="PGO"), tmp_path / "to-pgo", "lead")
    assert bagit.Bag(str(first.path)).validate()
    verdict = verify_path(first.path, parse_trust(world.trust_lines(a)))
    assert verdict.ok, verdict.lines()
    assert verdict.cosigned_by == (world.witness.name,)
    assert set(verdict.items) == set(erns)
    with a.reader() as session:
        assert [e["bundle"] for e in _entries(session, "bundle.created")] == [first.sha256]

    done = import_bundle(b, first.path, world.receiver_case, "rec", parse_trust(world.trust_lines(a)))
    assert set(done.items) == set(erns) and not done.already_imported
    local_physical = done.items[data.physical]
    with b.reader() as session:
        item = session.scalar(select(Item).where(Item.ern == local_physical))
        assert item is not None and item.extra["external"]["ern"] == data.physical
        refs = session.scalars(select(ExternalReference).where(ExternalReference.item_id == item.id)).all()
        assert [(r.origin, r.ern) for r in refs] == [(SENDER_ORIGIN, data.physical)]
        events = session.scalars(
            select(CustodyEvent).where(CustodyEvent.item_id == item.id).order_by(CustodyEvent.seq)
        ).all()
        assert [e.event_type for e in events] == ["collected", "sealed", "transferred", "received", "received"]
        receipt = events[-1]
        assert receipt.details["bundle_sha256"] == first.sha256
        assert receipt.details["sender_origin"] == SENDER_ORIGIN
        assert int(receipt.details["sender_checkpoint_size"]) == first.checkpoint_size
        imported = _entries(session, "bundle.imported")
        assert [(e["bundle"], e["origin"], e["checkpoint_size"]) for e in imported] == [
            (first.sha256, SENDER_ORIGIN, first.checkpoint_size)
        ]
        assert verdict.checkpoint is not None
        assert imported[0]["checkpoint_root"] == b64(verdict.checkpoint.root)
        size_before = log_size(session)

    again = import_bundle(b, first.path, world.receiver_case, "rec", parse_trust(world.trust_lines(a)))
    assert again.already_imported and again.items == done.items
    with b.reader() as session:
        assert log_size(session) == size_before
        assert len(session.scalars(select(BundleImport)).all()) == 1

    with b.reader() as session:
        rec = get_user(session, "rec")
    record(b, local_physical, rec, EventInput("stored", datetime.now(UTC), facility="PGO evidence store", room="2"))
    with b.reader() as session:
        state = session.get(CustodyState, item.id)
        assert state is not None and state.custodian_id == rec.id and state.last_seq == 6

    second = create_bundle(b, Selection(world.receiver_case), tmp_path / "from-pgo", "rec")
    both = verify_path(second.path, parse_trust(world.trust_lines(a, b)))
    assert both.ok, both.lines()
    assert both.counts[local_physical]["custody"] == 6
    only_receiver = verify_path(second.path, parse_trust(world.trust_lines(b)))
    assert not only_receiver.ok
    assert {f.step for f in only_receiver.failures()} == {"upstream checkpoint signature"}
    assert {f.subject for f in only_receiver.failures()} == set(done.items.values())

    assert fsck(a).ok
    assert fsck(b).ok
