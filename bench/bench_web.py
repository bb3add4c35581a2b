"""Web benchmarks (issue 7): list, search and item pages under 50 concurrent clients, and FTS on both backends.

Items are bulk-loaded with SQL (bench data only: no log entries), the search index is filled in one
statement, then a real `hague serve` answers wrk (the load generator, a second process) on loopback.
Goals: list and search p95 < 100 ms, item pages p95 < 50 ms with 1,000,000 items in PostgreSQL, 50 concurrent
users with a think time between requests (as a locust user); the baseline is `/healthz` measured the same way in
the same run. Requests/s at saturation (no think time) are reported beside it.
FTS: SQLite vs PostgreSQL at 100,000 items.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.common import Result
from hague.access import auth, roles
from hague.core import Hague
from hague.db.engine import make_engine
from hague.evidence import register
from hague.evidence.models import Case, Item, User
from hague.search import query as search
from hague.settings import Settings

HERE = Path(__file__).resolve().parent
SCRATCH = Path(os.environ.get("HAGUE_BENCH_DIR", HERE / "results" / "scratch")) / "web"
PG_SERVER = os.environ.get("HAGUE_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SECRET_KEY = "bench-secret-key-not-for-production"
WORKERS = int(os.environ.get("HAGUE_BENCH_WORKERS", "2"))  # one uvicorn worker per core
WORDS = [
    *[
        "обстріл",
        "ракета",
        "уламки",
        "свідок",
        "вибух",
        "будинок",
        "школа",
        "лікарня",
        "міст",
        "вокзал",
        "касетний",
        "снаряд",
        "воронка",
    ],
    *[
        "поранені",
        "загиблі",
        "евакуація",
        "підвал",
        "укриття",
        "протокол",
        "огляд",
        "фото",
        "відео",
        "карта",
        "супутник",
    ],
    *[
        "shelling",
        "missile",
        "fragment",
        "witness",
        "blast",
        "school",
        "hospital",
        "bridge",
        "station",
        "crater",
        "cluster",
    ],
    *["обстрел", "ракета", "осколок", "свидетель", "взрыв", "дом", "школа", "больница", "мост", "вокзал"],
]
VOCAB = [f"{w}{n}" if n else w for n in range(40) for w in WORDS]
# Think time of each simulated user between two requests (locust's `between(0.5, 1.5)`): 50 users then offer
# about 50 requests/s. Saturation throughput is measured separately with no think time.
THINK = (0.5, 1.5)
KINDS = ("testimony", "physical", "digital", "document")
LEVELS = ("public", "restricted", "confidential", "strictly_confidential")


def _pg_database(name: str) -> str:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_SERVER.rsplit("/", 1)[0] + f"/{name}"


def _reusable(name: str, count: int) -> str | None:
    """The URL of a bench database left by an earlier run with exactly `count` items (loading 1M takes minutes)."""
    from sqlalchemy import create_engine, text

    url = PG_SERVER.rsplit("/", 1)[0] + f"/{name}"
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            items = conn.execute(text("SELECT count(*) FROM items")).scalar()
            users = conn.execute(text("SELECT count(*) FROM users WHERE username = 'bench'")).scalar()
        return url if items == count and users == 1 else None
    except Exception:
        return None
    finally:
        engine.dispose()


def _world(hague: Hague) -> tuple[str, int]:
    """OTP with one case and an investigator (non-admin, so the role check runs in every query)."""
    with hague.unit() as unit:
        register.create_organisation(unit, "OTP", "Office of the Prosecutor")
        register.create_organisation(unit, "PGO", "Partner")
        case = register.create_case(unit, "OTP", "UKR", "Bench case")
        roles.create_user(unit, "bench", "Bench", "OTP", "confidential", "bench password 1")
        roles.grant_role(unit, case.code, "bench", "investigator")
        return case.code, case.id


def _rows(case_id: int, prefix: str, start: int, stop: int) -> list[dict[str, Any]]:
    rng = random.Random(start)
    rows = []
    for n in range(start, stop):
        words = " ".join(rng.choice(VOCAB) for _ in range(3))
        rows.append(
            {
                "case_id": case_id,
                "ern": f"{prefix}-{n:07d}",
                "kind": KINDS[n % 4],
                "title": f"{words} {n}",
                "description": " ".join(rng.choice(VOCAB) for _ in range(8)),
                "classification": LEVELS[(n // 7) % 4],
            }
        )
    return rows


def load_items(hague: Hague, case_code: str, case_id: int, count: int) -> None:
    """Bulk-load `count` items (SQL, no log entries); the search index is built in one pass on PostgreSQL."""
    from sqlalchemy import insert, text

    with hague.reader() as session:
        org_id = session.get(Case, case_id).organisation_id  # type: ignore[union-attr]
    common = {
        "collected_tz": "UTC",
        "collected_by": "bench",
        "place_name": "",
        "method": "bench",
        "tool": "",
        "tool_version": "",
        "source": "",
        "language": "uk",
        "organisation_id": org_id,
        "extra": {},
    }
    postgres = hague.engine.dialect.name == "postgresql"
    with hague.engine.begin() as conn:
        if postgres:
            conn.execute(text("ALTER TABLE items DISABLE TRIGGER item_search_items"))
        for start in range(1, count + 1, 20_000):
            batch = _rows(case_id, case_code, start, min(start + 20_000, count + 1))
            from hague.db.base import utcnow

            now = utcnow()
            conn.execute(insert(Item), [{**common, **row, "created_at": now} for row in batch])
        if postgres:
            conn.execute(text("ALTER TABLE items ENABLE TRIGGER item_search_items"))
            conn.execute(
                text(
                    "INSERT INTO item_search(item_id, tsv) SELECT id, setweight(to_tsvector('hague_text', title), 'A')"
                    " || to_tsvector('hague_text', description || ' ' || place_name) FROM items"
                    " ON CONFLICT (item_id) DO NOTHING"
                )
            )
    if postgres:
        with hague.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE items"))
            conn.execute(text("VACUUM ANALYZE item_search"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(data_dir: Path, database_url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "HAGUE_DATA_DIR": str(data_dir),
        "HAGUE_DATABASE_URL": database_url,
        "HAGUE_SECRET_KEY": SECRET_KEY,
    }
    hague_cmd = Path(sys.executable).parent / "hague"
    proc = subprocess.Popen(
        [str(hague_cmd), "serve", "--port", str(port), "--workers", str(WORKERS)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    import httpx

    for _ in range(900):
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("hague serve did not start")


WRK_SCRIPT = """
local paths, think_min, think_max = {}, 0, 0
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  think_min, think_max = tonumber(args[2]), tonumber(args[3])
  wrk.headers[args[4]] = args[5]
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6))
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
%(delay)s
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""
WRK_DELAY = "function delay() return math.random(think_min, think_max) end"


def _measure(
    base: str,
    paths: list[str],
    headers: dict[str, str],
    seconds: float,
    clients: int,
    think: tuple[float, float] = THINK,
) -> dict[str, Any]:
    """Run wrk (one thread, `clients` connections) over random `paths`; each connection waits a random think
    time between its requests (wrk's `delay()`, which latency excludes); (0, 0) drives the server flat out."""
    import shutil
    import tempfile

    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (scripts/setup-system.sh installs it)")
    ((name, value),) = headers.items()
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "paths.txt"
        listing.write_text("\n".join(quote(p, safe="/?&=:") for p in paths) + "\n")  # as a browser sends them
        script = Path(tmp) / "load.lua"
        script.write_text(WRK_SCRIPT % {"delay": WRK_DELAY if think[1] > 0 else ""})
        args = [wrk, "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", str(script)]
        args += [base + "/", "--", str(listing), str(round(think[0] * 1000)), str(round(think[1] * 1000)), name, value]
        done = subprocess.run(args, capture_output=True, timeout=seconds + 120)
    if done.returncode != 0:
        raise RuntimeError("wrk failed: " + done.stderr.decode(errors="replace")[-2000:])
    out = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return {
        "requests": out["requests"],
        "errors": out["errors"],
        "rps": out["requests"] / (out["duration_us"] / 1e6),
        "p50_ms": out["p50_us"] / 1000,
        "p95_ms": out["p95_us"] / 1000,
    }


def http_pages(count: int, seconds: float, clients: int) -> list[Result]:
    """1,000,000 (quick: 20,000) items in PostgreSQL; p95 of list, search, item pages at 50 clients."""
    root = SCRATCH / "http"
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    url = _reusable("hague_bench_web", count)
    if url is None:
        url = _pg_database("hague_bench_web")
        hague = Hague(Settings(data_dir=root, database_url=url, secret_key=SECRET_KEY), engine=make_engine(url))
        from hague.db.engine import migrate

        migrate(hague.engine)
        case_code, case_id = _world(hague)
        load_items(hague, case_code, case_id, count)
    else:
        hague = Hague(Settings(data_dir=root, database_url=url, secret_key=SECRET_KEY), engine=make_engine(url))
        with hague.reader() as session:
            case = session.get(Case, 1)
            assert case is not None
            case_code, case_id = case.code, case.id
    load_seconds = time.perf_counter() - started
    with hague.unit() as unit:
        token = auth.create_token(unit, "bench", "bench", ["read"])
    with hague.reader() as session:
        from sqlalchemy import select

        user = session.scalar(select(User).where(User.username == "bench"))
    opened = auth.open_session(hague, user)  # type: ignore[arg-type]
    from itsdangerous import Signer

    cookie = Signer(SECRET_KEY, salt="hague.session").sign(opened.secret).decode()
    hague.close()
    rng = random.Random(7)
    erns = [f"{case_code}-{rng.randrange(1, count + 1):07d}" for _ in range(2000)]
    visible = [e for e in erns if (int(e[-7:]) // 7) % 4 < 3]
    proc, base = _serve(root, url)
    api = {"authorization": f"Bearer {token}"}
    try:
        suites = {
            "healthz": (["/healthz"], api),
            "list": (
                [f"/api/v1/cases/{case_code}/items?limit=50&after={rng.randrange(0, count)}" for _ in range(500)],
                api,
            ),
            "search": ([f"/api/v1/search?case={case_code}&limit=50&q={rng.choice(VOCAB)}" for _ in range(500)], api),
            "item": ([f"/api/v1/items/{e}" for e in visible], api),
            "item_page": ([f"/items/{e}" for e in visible], {"cookie": f"hague_session={cookie}"}),
        }
        measured = {name: _measure(base, paths, hdrs, seconds, clients) for name, (paths, hdrs) in suites.items()}
        saturated = {
            name: _measure(base, suites[name][0], suites[name][1], seconds / 2, clients, (0.0, 0.0))
            for name in ("healthz", "list", "item_page")
        }
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    base_p95 = measured["healthz"]["p95_ms"]
    goals = {"list": 100.0, "search": 100.0, "item": 50.0, "item_page": 50.0}
    results = []
    for name, goal in goals.items():
        m = measured[name]
        results.append(
            Result(
                f"web {name} p95 ({count:,} items, PostgreSQL, {clients} clients)",
                m["p95_ms"],
                "ms",
                base_p95,
                "healthz p95",
                f"p95 < {goal:.0f} ms",
                m["p95_ms"] < goal and m["errors"] == 0,
                {**m, "load_seconds": round(load_seconds, 1)},
            )
        )
    for name, m in saturated.items():
        results.append(
            Result(
                f"web {name} saturation throughput (no think time, {clients} clients)",
                m["rps"],
                "req/s",
                saturated["healthz"]["rps"],
                "healthz req/s",
                "reported",
                None,
                m,
            )
        )
    return results


def fts_backends(count: int, queries: int) -> list[Result]:
    """Same items and queries on SQLite FTS5 and PostgreSQL tsvector: mean search time per query."""
    root = SCRATCH / "fts"
    import shutil

    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    timings = {}
    words = random.Random(3).sample(VOCAB, queries)
    for backend in ("sqlite", "postgresql"):
        url = f"sqlite:///{root / 'fts.sqlite3'}" if backend == "sqlite" else _pg_database("hague_bench_fts")
        hague = Hague(Settings(data_dir=root / backend, database_url=url))
        from hague.db.engine import migrate

        migrate(hague.engine)
        case_code, case_id = _world(hague)
        load_items(hague, case_code, case_id, count)
        with hague.reader() as session:
            from sqlalchemy import select

            user = session.scalar(select(User).where(User.username == "bench"))
            assert user is not None
            start = time.perf_counter()
            found = 0
            for word in words:
                found += len(search.list_items(session, user, search.ItemFilter(case_id=case_id, q=word)).items)
            timings[backend] = ((time.perf_counter() - start) / len(words) * 1000, found)
        hague.close()
    sqlite_ms, sqlite_found = timings["sqlite"]
    pg_ms, pg_found = timings["postgresql"]
    return [
        Result(
            f"FTS search, SQLite FTS5 ({count:,} items)",
            sqlite_ms,
            "ms/query",
            pg_ms,
            "PostgreSQL ms/query",
            "reported",
            None,
            {"results": sqlite_found},
        ),
        Result(
            f"FTS search, PostgreSQL ({count:,} items)",
            pg_ms,
            "ms/query",
            sqlite_ms,
            "SQLite ms/query",
            "reported",
            None,
            {"results": pg_found},
        ),
    ]


def run(quick: bool) -> list[Result]:
    """Quick: 20,000 items, 5 s per suite; full: 1,000,000 items, 20 s per suite; FTS at 10,000 / 100,000."""
    results = fts_backends(10_000 if quick else 100_000, 30 if quick else 100)
    results += http_pages(20_000 if quick else 1_000_000, 5.0 if quick else 20.0, 50)
    return results
