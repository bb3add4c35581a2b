"""Anomaly report per item and per case: what a reviewer of the chain of custody would flag (DOMAIN §2, check 3).

Kinds: `unacknowledged_transfer`, `seal_broken`, `seal_replaced`, `gap`, `wrong_receiver`,
`examination_without_checkout`, `actor_without_role`, `custody_outside_sharing`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.custody.trails import Trail, case_of, load_trails
from hague.db.base import utcnow
from hague.evidence.models import CaseRole, Share, User

DEFAULT_UNACKNOWLEDGED = timedelta(hours=48)
CUSTODY_TAKING = ("collected", "received")
EXAMINING = ("examined", "sampled")


@dataclass(frozen=True)
class Anomaly:
    """One finding: which item, which event (by its sequence number), what kind, and why."""

    ern: str
    seq: int
    kind: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


class _Context:
    """Roles and sharing of the cases involved, loaded once per report."""

    def __init__(self, session: Session, trails: list[Trail]) -> None:
        case_ids = {t.case_id for t in trails}
        self.roles: dict[int, set[int]] = {c: set() for c in case_ids}
        for case_id, user_id in session.execute(
            select(CaseRole.case_id, CaseRole.user_id).where(CaseRole.case_id.in_(case_ids))
        ):
            self.roles[case_id].add(user_id)
        for case_id in case_ids:
            owner = case_of(session, case_id).organisation_id
            admins = session.scalars(select(User.id).where(User.is_admin.is_(True), User.organisation_id == owner))
            self.roles[case_id].update(admins)
        self.case_wide: dict[int, set[int]] = {c: set() for c in case_ids}
        self.per_item: dict[int, set[int]] = {}
        shares = session.execute(
            select(Share.case_id, Share.item_id, Share.organisation_id).where(
                Share.case_id.in_(case_ids), Share.revoked_at.is_(None)
            )
        )
        for case_id, item_id, org_id in shares:
            if item_id is None:
                self.case_wide[case_id].add(org_id)
            else:
                self.per_item.setdefault(item_id, set()).add(org_id)

    def shared_with(self, trail: Trail) -> set[int]:
        """Same answer as `hague.access.shared_organisations`, for a trail."""
        return {trail.organisation_id, *self.case_wide[trail.case_id], *self.per_item.get(trail.item_id, set())}


def check_trail(trail: Trail, context: _Context, as_of: datetime, unacknowledged_after: timedelta) -> list[Anomaly]:
    """Every anomaly of one trail, in event order."""
    found: list[Anomaly] = []

    def flag(seq: int, kind: str, message: str) -> None:
        found.append(Anomaly(trail.ern, seq, kind, message))

    allowed_orgs = context.shared_with(trail)
    with_role = context.roles[trail.case_id]
    status: str | None = None
    custodian: int | None = None
    pending: tuple[int | None, str] | None = None  # named receiver of a transfer in flight
    examiner: int | None = None
    checked_out = False
    previous_at: datetime | None = None
    for step in trail.steps:
        kind, seq = step.event_type, step.seq
        if step.actor_id is None or step.actor_id not in with_role:
            flag(seq, "actor_without_role", f"{step.actor_name} holds no role on the case ({kind})")
        if step.seal_state in ("broken", "replaced"):
            flag(seq, f"seal_{step.seal_state}", f"seal(s) {', '.join(step.seal_numbers)} {step.seal_state} at {kind}")
        if previous_at is not None and step.occurred_at < previous_at:
            flag(seq, "gap", f"{kind} is dated before the event it follows")
        previous_at = step.occurred_at
        if status is None and kind != "collected":
            flag(seq, "gap", f"the record starts with {kind}: no collection is recorded")
        elif status in ("released", "disposed", "lost"):
            flag(seq, "gap", f"{kind} after the item {status}")
        if kind == "received":
            if pending is None:
                flag(seq, "gap", "received without a transfer")
            elif step.actor_id != pending[0] or (step.actor_id is None and step.actor_name != pending[1]):
                flag(seq, "wrong_receiver", f"received by {step.actor_name}; the transfer named {pending[1]}")
            pending, custodian, status = None, step.actor_id, "held"
        elif pending is not None and kind != "lost":
            flag(seq, "gap", f"{kind} while the item is in transit to {pending[1]}")
        elif (
            kind != "collected"
            and status is not None
            and step.actor_id != custodian
            and not (
                kind in (*EXAMINING, "copied", "checked_in") and step.actor_id == examiner and examiner is not None
            )
        ):
            flag(seq, "gap", f"{kind} by {step.actor_name}, who is not the custodian: custody passed unrecorded")
        if kind in CUSTODY_TAKING and step.organisation_id not in allowed_orgs:
            flag(seq, "custody_outside_sharing", f"{kind} by an organisation the item is not shared with")
        if kind in EXAMINING and not checked_out:
            flag(seq, "examination_without_checkout", f"{kind} without a check-out for examination")
        if kind == "collected":
            status, custodian = "held", step.actor_id
        elif kind == "transferred":
            pending, status = (step.counterpart_id, step.counterpart_name), "in_transit"
            if step.counterpart_id is not None and step.counterpart_id not in with_role:
                flag(seq, "actor_without_role", f"transfer to {step.counterpart_name}, who holds no role on the case")
        elif kind == "checked_out":
            checked_out, examiner = True, step.counterpart_id
        elif kind == "checked_in":
            checked_out, examiner = False, None
        elif kind in ("released", "disposed", "lost"):
            status = kind
    last = trail.steps[-1]
    if pending is not None and as_of - last.occurred_at > unacknowledged_after:
        hours = int((as_of - last.occurred_at).total_seconds() // 3600)
        flag(last.seq, "unacknowledged_transfer", f"sent to {pending[1]} {hours} h ago and not acknowledged")
    return found


def report(
    session: Session,
    *,
    case_code: str | None = None,
    ern: str | None = None,
    as_of: datetime | None = None,
    unacknowledged_after: timedelta = DEFAULT_UNACKNOWLEDGED,
) -> list[Anomaly]:
    """Anomalies of one item (`ern`) or of every item of a case, in ERN and event order."""
    trails = load_trails(session, case_code=case_code, ern=ern)
    if not trails:
        return []
    context = _Context(session, trails)
    moment = as_of or utcnow()
    return [a for trail in trails for a in check_trail(trail, context, moment, unacknowledged_after)]
