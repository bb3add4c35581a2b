"""Linkage runs on a case's casualty records, the clerical review queue, and stable victim identifiers.

A run scores candidate pairs with `linkage.predict_pairs`, links pairs at or above the match threshold,
queues those in the uncertain band for review, and clusters records into victims. Accepted pairs are
always linked and rejected pairs never are, in this and later runs. Victim codes are stable: each new
cluster takes the code of the old cluster it overlaps most (greedy maximal overlap, each code used once).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.casualties import linkage
from hague.casualties import models as m
from hague.casualties.imports import _actor
from hague.casualties.records import decision_record, link_run_record
from hague.core import Unit
from hague.db.base import utcnow
from hague.errors import NotFound, ValidationError
from hague.evidence.counters import next_value
from hague.evidence.models import Case
from hague.evidence.register import get_case
from hague.ledger.canonical import decimal_text, record_hash

LINK_ROLES = frozenset({"analyst", "case_lead", "admin"})


def records_frame(session: Session, case: Case) -> pd.DataFrame:
    """The case's live (not withdrawn) records in the linkage input shape."""
    rows = session.execute(
        select(
            m.CasualtyRecord.id,
            m.CasualtyRecord.given_name,
            m.CasualtyRecord.surname,
            m.CasualtyRecord.patronymic,
            m.CasualtyRecord.sex,
            m.CasualtyRecord.age,
            m.CasualtyRecord.date_text,
            m.CasualtyRecord.place_name,
            m.CasualtyRecord.region,
            m.CasualtyRecord.victim_code,
        )
        .where(m.CasualtyRecord.case_id == case.id, m.CasualtyRecord.withdrawn.is_(False))
        .order_by(m.CasualtyRecord.id)
    ).all()
    columns = [*linkage.INPUT_COLUMNS[:-3], "date", "place", "region", "victim_code"]
    return pd.DataFrame(rows, columns=columns)


def assign_codes(labels: dict[int, int], previous: dict[int, str | None], new_code: Any) -> dict[int, str]:
    """Victim code per record: clusters inherit the old code they overlap most; the rest get `new_code()`."""
    overlap: Counter[tuple[int, str]] = Counter()
    for record, label in labels.items():
        old = previous.get(record)
        if old:
            overlap[(label, old)] += 1
    taken_labels: dict[int, str] = {}
    used: set[str] = set()
    # largest overlaps first; ties broken by code then label so re-runs are deterministic
    for (label, old), _ in sorted(overlap.items(), key=lambda kv: (-kv[1], kv[0][1], kv[0][0])):
        if label in taken_labels or old in used:
            continue
        taken_labels[label] = old
        used.add(old)
    for label in sorted(
        set(labels.values()) - set(taken_labels), key=lambda lb: min(r for r, x in labels.items() if x == lb)
    ):
        taken_labels[label] = new_code()
    return {record: taken_labels[label] for record, label in labels.items()}


def _decided(session: Session, case: Case, decision: str) -> list[tuple[int, int]]:
    return [
        (a, b)
        for a, b in session.execute(
            select(m.LinkPair.record_a, m.LinkPair.record_b).where(
                m.LinkPair.case_id == case.id, m.LinkPair.decision == decision
            )
        )
    ]


def _settings_dict(settings: linkage.LinkageSettings) -> dict[str, Any]:
    return {
        "match_threshold": decimal_text(settings.match_threshold),
        "review_threshold": decimal_text(settings.review_threshold),
        "training_sample": settings.training_sample,
        "seed": settings.seed,
    }


def _cluster_into(
    unit: Unit, case: Case, run: m.LinkRun, frame: pd.DataFrame, pairs: pd.DataFrame, threshold: float
) -> m.LinkRun:
    """Cluster with the review decisions applied, assign stable codes, store and attest the run."""
    session = unit.session
    live = set(frame["unique_id"].tolist())
    accepted = [p for p in _decided(session, case, "accept") if p[0] in live and p[1] in live]
    rejected = _decided(session, case, "reject")
    labels = linkage.cluster(frame["unique_id"].tolist(), pairs, threshold, accepted, rejected)
    previous = {
        int(r): (c if isinstance(c, str) else None)
        for r, c in zip(frame["unique_id"].tolist(), frame["victim_code"].tolist(), strict=True)
    }
    codes = assign_codes(labels, previous, lambda: f"V-{next_value(session, f'victim:{case.id}'):06d}")
    run.victims = len(set(codes.values()))
    session.add_all(m.LinkAssignment(run_id=run.id, record_id=r, victim_code=c) for r, c in codes.items())
    for record in session.scalars(select(m.CasualtyRecord).where(m.CasualtyRecord.case_id == case.id)):
        if record.id in codes:
            record.victim_code = codes[record.id]
    session.flush()
    unit.attest(
        "casualties.linked",
        {
            "case": case.code,
            "run": run.id,
            "kind": run.kind,
            "records": run.records,
            "victims": run.victims,
            "record": record_hash(link_run_record(session, run)),
        },
    )
    return run


def run_linkage(unit: Unit, case_code: str, actor: str, settings: linkage.LinkageSettings | None = None) -> m.LinkRun:
    """Score, cluster and code the case's records; queue uncertain pairs for review; log the run."""
    settings = settings or linkage.LinkageSettings()
    if not 0 < settings.review_threshold < settings.match_threshold < 1:
        raise ValidationError("need 0 < review threshold < match threshold < 1", field="threshold")
    case = get_case(unit.session, case_code)
    by = _actor(unit.session, case, actor, LINK_ROLES)
    frame = records_frame(unit.session, case)
    if len(frame) < 2:
        raise ValidationError("linkage needs at least two live records", field="records")
    pairs = linkage.predict_pairs(frame, settings)
    run = m.LinkRun(
        case_id=case.id,
        run_by=by,
        settings=_settings_dict(settings) | {"pairs": len(pairs)},
        records=len(frame),
        victims=0,
        kind="model",
    )
    unit.session.add(run)
    unit.session.flush()
    existing = {
        (p.record_a, p.record_b): p
        for p in unit.session.scalars(select(m.LinkPair).where(m.LinkPair.case_id == case.id))
    }
    for a, b, prob in pairs.itertuples(index=False):
        key = (int(min(a, b)), int(max(a, b)))
        text = decimal_text(round(float(prob), 6)) or "0.0"
        pair = existing.get(key)
        if pair is None:
            unit.session.add(
                m.LinkPair(case_id=case.id, run_id=run.id, record_a=key[0], record_b=key[1], probability=text)
            )
        else:
            pair.run_id, pair.probability = run.id, text
    unit.session.flush()
    return _cluster_into(unit, case, run, frame, pairs, settings.match_threshold)


def latest_model_run(session: Session, case: Case) -> m.LinkRun:
    """The case's most recent scoring run."""
    run = session.scalar(
        select(m.LinkRun).where(m.LinkRun.case_id == case.id, m.LinkRun.kind == "model").order_by(m.LinkRun.id.desc())
    )
    if run is None:
        raise NotFound(f"no linkage run on {case.code} yet: run `hague casualties link` first")
    return run


def _run_pairs(session: Session, run: m.LinkRun) -> pd.DataFrame:
    rows = session.execute(
        select(m.LinkPair.record_a, m.LinkPair.record_b, m.LinkPair.probability).where(m.LinkPair.run_id == run.id)
    ).all()
    return pd.DataFrame(
        [(a, b, float(p)) for a, b, p in rows], columns=["unique_id_l", "unique_id_r", "match_probability"]
    )


def review_queue(session: Session, case_code: str, include_decided: bool = False) -> list[dict[str, Any]]:
    """Pairs in the uncertain band of the latest run, most probable first, with both records side by side."""
    case = get_case(session, case_code)
    run = latest_model_run(session, case)
    upper = float(run.settings["match_threshold"])
    lower = float(run.settings["review_threshold"])
    pairs = session.scalars(select(m.LinkPair).where(m.LinkPair.run_id == run.id)).all()
    queue = []
    for pair in pairs:
        prob = float(pair.probability)
        if not lower <= prob < upper or (pair.decision != "pending" and not include_decided):
            continue
        a = session.get(m.CasualtyRecord, pair.record_a)
        b = session.get(m.CasualtyRecord, pair.record_b)
        if a is None or b is None or a.withdrawn or b.withdrawn:
            continue
        queue.append({"pair": pair.id, "probability": prob, "decision": pair.decision, "a": _side(a), "b": _side(b)})
    return sorted(queue, key=lambda q: (-q["probability"], q["pair"]))


def _side(record: m.CasualtyRecord) -> dict[str, Any]:
    return {
        "record": record.id,
        "source_id": record.source_id,
        "name": record.name_original,
        "sex": record.sex,
        "age": record.age,
        "date": record.date_text,
        "place": record.place_name,
        "region": record.region,
        "status": record.status,
        "victim": record.victim_code,
    }


def decide(
    unit: Unit, case_code: str, pair_id: int, decision: str, actor: str, note: str = "", recluster: bool = True
) -> m.LinkDecision:
    """Record a clerical decision (accept / reject / unsure) on a pair and, by default, re-cluster with it."""
    if decision not in ("accept", "reject", "unsure"):
        raise ValidationError("decision must be accept, reject or unsure", field="decision")
    case = get_case(unit.session, case_code)
    by = _actor(unit.session, case, actor, LINK_ROLES)
    pair = unit.session.get(m.LinkPair, pair_id)
    if pair is None or pair.case_id != case.id:
        raise NotFound(f"no review pair {pair_id} on {case.code}")
    made = m.LinkDecision(pair_id=pair.id, decision=decision, decided_by=by, decided_at=utcnow(), note=note[:2000])
    unit.session.add(made)
    pair.decision, pair.decided_by, pair.decided_at, pair.note = decision, by, made.decided_at, made.note
    unit.session.flush()
    unit.attest(
        "casualties.review_decided",
        {
            "case": case.code,
            "pair": pair.id,
            "decision_id": made.id,
            "decision": decision,
            "by": by,
            "record": record_hash(decision_record(pair, made)),
        },
    )
    if recluster:
        apply_decisions(unit, case_code, actor)
    return made


def apply_decisions(unit: Unit, case_code: str, actor: str) -> m.LinkRun:
    """Re-cluster the latest run's pairs with every review decision (no re-scoring); logged as a run."""
    case = get_case(unit.session, case_code)
    by = _actor(unit.session, case, actor, LINK_ROLES)
    model_run = latest_model_run(unit.session, case)
    frame = records_frame(unit.session, case)
    run = m.LinkRun(
        case_id=case.id,
        run_by=by,
        settings=model_run.settings | {"from_run": model_run.id},
        records=len(frame),
        victims=0,
        kind="review",
    )
    unit.session.add(run)
    unit.session.flush()
    pairs = _run_pairs(unit.session, model_run)
    return _cluster_into(unit, case, run, frame, pairs, float(model_run.settings["match_threshold"]))
