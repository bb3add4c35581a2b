"""Custody benchmarks (issue 4).

1. Appending custody events with every rule checked (`record_many`, group commit of 500): >= 2,000
   events/s on SQLite and on PostgreSQL. Baseline: a plain executemany of the same rows, no rules, no log.
2. Conformance check + process map of a generated case (10,000 items, 100,000 events): < 10 s, against
   a plain SQL directly-follows `GROUP BY` (LAG window) over the same events as the floor.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text
from tests.custody.generator import generate, register_items
from tests.support.databases import PostgresFactory, postgres_available

from bench.common import Result, timer
from hague.access import create_user, get_user, grant_role
from hague.core import Hague
from hague.custody.events import record_many
from hague.custody.inputs import EventInput
from hague.custody.models import CustodyEvent
from hague.evidence import register
from hague.evidence.models import User
from hague.settings import Settings
from hague.workflow import conformance
from hague.workflow.processmap import process_map, to_svg

BENCH_ROOT = Path(os.environ.get("HAGUE_BENCH_DIR", Path(__file__).resolve().parent / "results" / "scratch"))
T0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
DIRECT_FOLLOWS = """
SELECT prev, event_type, count(*), avg(wait) FROM (
  SELECT event_type,
         LAG(event_type) OVER (PARTITION BY item_id ORDER BY seq) AS prev,
         {wait} AS wait
  FROM custody_events WHERE case_id = :case) AS steps
GROUP BY prev, event_type
"""


@contextmanager
def backend(name: str, root: Path) -> Iterator[Hague]:
    """A fresh migrated instance on SQLite (file) or PostgreSQL (loopback)."""
    if name == "sqlite":
        hague = Hague.open(Settings(data_dir=root / "data"))
        try:
            yield hague
        finally:
            hague.close()
        return
    factory = PostgresFactory("bench")
    url = factory.new()
    hague = Hague(Settings(data_dir=root / "data", database_url=url))
    try:
        yield hague
    finally:
        hague.close()
        factory.drop(url)
        factory.close()


def _case(hague: Hague) -> str:
    with hague.unit() as unit:
        register.create_organisation(unit, "OTP", "Office of the Prosecutor")
        return register.create_case(unit, "OTP", "UKR", "Bench").code


def _trail(ern: str, n: int, a: User, b: User, c: User) -> list[tuple[str, User, EventInput]]:
    t = T0 + timedelta(minutes=n)
    h = timedelta(hours=1)
    seals = (f"S-{n}",)
    return [
        (ern, a, EventInput("collected", t, "Europe/Kyiv", place="Bucha", reason="scene")),
        (ern, a, EventInput("sealed", t + h, seal_numbers=seals)),
        (ern, a, EventInput("transferred", t + 2 * h, receiver=b.username, reason="store", seal_numbers=seals)),
        (ern, b, EventInput("received", t + 3 * h, seal_numbers=seals)),
        (ern, b, EventInput("stored", t + 4 * h, facility="Kyiv", room="B", shelf="3")),
        (ern, b, EventInput("checked_out", t + 5 * h, examiner=c.username, reason="ballistics")),
        (ern, c, EventInput("examined", t + 6 * h, method="microscopy", lab="FSL")),
        (ern, c, EventInput("checked_in", t + 7 * h, seal_numbers=(f"S-{n}-2",))),
        (ern, b, EventInput("transferred", t + 8 * h, receiver=a.username, reason="court")),
        (ern, a, EventInput("received", t + 9 * h)),
    ]


def append_rate(name: str, root: Path, items: int) -> Result:
    """Events/s through `record_many` (all rules checked, one log entry each) vs a bare executemany."""
    with backend(name, root) as hague:
        case = _case(hague)
        with hague.unit() as unit:
            for username, role in (("alice", "custodian"), ("bob", "custodian"), ("erin", "analyst")):
                create_user(unit, username, username.title(), "OTP")
                grant_role(unit, case, username, role)
            erns = register_items(unit, case, 0, items)
        with hague.reader() as session:
            a, b, c = (get_user(session, u) for u in ("alice", "bob", "erin"))
        planned = [p for n, ern in enumerate(erns) for p in _trail(ern, n, a, b, c)]
        with timer() as elapsed:
            for start in range(0, len(planned), 500):
                rows = record_many(hague, planned[start : start + 500])
        rate = len(planned) / elapsed()
        # Floor: the same number of rows inserted with no rule, no state and no log entry.
        template = {k: v for k, v in rows[-1].items() if k not in ("id", "ern")}
        with timer() as bare:
            for start in range(0, len(planned), 500):
                with hague.unit() as unit:
                    unit.session.execute(
                        insert(CustodyEvent), [{**template, "seq": 100 + start + k} for k in range(500)]
                    )
        floor = len(planned) / bare()
    return Result(
        f"custody append, all rules checked ({name}, {len(planned)} events)",
        rate,
        "events/s",
        baseline=floor,
        baseline_name="bare insert events/s",
        goal=">= 2000 events/s",
        passed=rate >= 2000,
    )


def analysis(name: str, root: Path, items: int) -> list[Result]:
    """Conformance + process map of a generated case vs a SQL directly-follows GROUP BY over the same events."""
    with backend(name, root) as hague:
        case = _case(hague)
        with timer() as generating:
            planted = generate(hague, case, items)
        with hague.reader() as session:
            case_id = session.execute(text("SELECT id FROM cases")).scalar_one()
            before = "LAG(occurred_at) OVER (PARTITION BY item_id ORDER BY seq)"
            wait = (
                f"(julianday(occurred_at) - julianday({before})) * 86400"
                if name == "sqlite"
                else f"EXTRACT(EPOCH FROM occurred_at - {before})"
            )
            with timer() as floor:
                session.execute(text(DIRECT_FOLLOWS.format(wait=wait)), {"case": case_id}).all()
            with timer() as ours:
                checked = conformance.check(session, case_code=case)
                graph = process_map(session, case_code=case)
                to_svg(graph)
            with timer() as shared:
                conformance.analyse(session, case_code=case)
        seconds = ours()
    return [
        Result(
            f"conformance + process map ({name}, {planted.events} events)",
            seconds,
            "s",
            baseline=floor(),
            baseline_name="SQL GROUP BY s",
            goal="< 10 s" if planted.events >= 100_000 else "< 10 s at 100,000 events (quick run: smaller)",
            passed=seconds < 10,
            extra={
                "items": items,
                "deviant_items": len(checked.deviant_items),
                "generate_s": round(generating(), 1),
                "one_load_analyse_s": round(shared(), 2),
            },
        )
    ]


def run(quick: bool) -> list[Result]:
    """Both benchmarks on SQLite, and on PostgreSQL when it answers."""
    BENCH_ROOT.mkdir(parents=True, exist_ok=True)
    names = ["sqlite", *(["postgresql"] if postgres_available() else [])]
    results: list[Result] = []
    for name in names:
        root = Path(tempfile.mkdtemp(prefix=f"custody-{name}-", dir=BENCH_ROOT))
        try:
            results.append(append_rate(name, root / "append", 200 if quick else 2000))
            results.extend(analysis(name, root / "analysis", 1000 if quick else 10_000))
        finally:
            shutil.rmtree(root, ignore_errors=True)
    return results
