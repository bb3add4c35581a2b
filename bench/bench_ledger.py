"""The verifiable log: durable appends (SQLite, PostgreSQL), proofs from the stored tree, verification,
`hague verify` of the whole tree, and blob re-hashing; pymerkle 7 measured in the same run as the baseline."""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from pymerkle import InmemoryTree, SqliteTree
from pymerkle import verify_inclusion as pm_verify_inclusion
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.common import Result, best_of
from hague.core import Hague
from hague.ledger.fsck import verify
from hague.ledger.tree import stored_tree
from hague.ledger.verify_offline import verify_inclusion
from hague.settings import Settings

PG = os.environ.get("HAGUE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _append(hague: Hague, n: int, batch: int) -> float:
    """Median rate over units of `batch` attests each: the path every record takes (group commit = many
    attests per transaction), robust to a noisy shared machine."""
    digest = "ab" * 32
    rates = []
    for s in range(0, n, batch):
        count = min(batch, n - s)
        start = time.perf_counter()
        with hague.unit() as unit:
            attest = unit.attest
            for i in range(s, s + count):
                attest("bench.entry", {"n": i, "record": digest})
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def _plain_appends(folder: Path, n: int, batch: int) -> float:
    """A plain durable log for scale: sqlite3 (WAL, synchronous=FULL), one row of index, body and leaf hash
    per entry, `batch` rows per transaction; measured the same way."""
    db = sqlite3.connect(folder / "plain.sqlite3", isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE log (seq INTEGER PRIMARY KEY, body BLOB NOT NULL, leaf BLOB NOT NULL)")
        record = b"ab" * 32
        rates = []
        for s in range(0, n, batch):
            count = min(batch, n - s)
            start = time.perf_counter()
            rows = []
            for i in range(s, s + count):
                body = b'{"n":%d,"record":"%s","type":"bench.entry","v":1}' % (i, record)
                rows.append((i, body, hashlib.sha256(b"\x00" + body).digest()))
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT INTO log VALUES (?, ?, ?)", rows)
            db.execute("COMMIT")
            rates.append(count / (time.perf_counter() - start))
        return statistics.median(rates)
    finally:
        db.close()


def _pymerkle_appends(n: int, batch: int) -> tuple[InmemoryTree, float]:
    """pymerkle's in-memory tree, measured the same way (median over chunks of `batch`)."""
    tree = InmemoryTree(algorithm="sha256")
    rates = []
    record = b"ab" * 32
    for s in range(0, n, batch):
        count = min(batch, n - s)
        start = time.perf_counter()
        for i in range(s, s + count):
            tree.append_entry(b'{"n":%d,"record":"%s","type":"bench.entry","v":1}' % (i, record))
        rates.append(count / (time.perf_counter() - start))
    return tree, statistics.median(rates)


def _verify_each(proofs: list[tuple[int, bytes, list[bytes]]], size: int, root: bytes) -> None:
    for index, leaf, proof in proofs:
        verify_inclusion(index, size, leaf, proof, root)


def _pm_verify_each(proofs: list[tuple[bytes, object]], root: bytes) -> None:
    for leaf, proof in proofs:
        pm_verify_inclusion(leaf, root, proof)  # type: ignore[arg-type]


def _hash_chains(proofs: list[tuple[int, bytes, list[bytes]]]) -> None:
    """The SHA-256 calls verifications cannot avoid, and nothing else: the floor for `_verify_each`."""
    sha256 = hashlib.sha256
    for _, leaf, proof in proofs:
        r = leaf
        for p in proof:
            r = sha256(b"\x01" + p + r).digest()


def _rate(count: int, func: object, rounds: int = 5) -> float:
    """Best of `rounds` runs of `func` doing `count` operations, in operations per second."""
    return count / best_of(rounds, func)  # type: ignore[arg-type]


def _postgres_appends(n: int, batch: int) -> float | None:
    url = make_url(PG)
    name = f"hague_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:
        return None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = url.set(database=name).render_as_string(hide_password=False)
            hague = Hague.open(Settings(data_dir=Path(tmp), database_url=db))
            try:
                return _append(hague, n, batch)
            finally:
                hague.close()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _blob_rates(folder: Path, total_mb: int) -> tuple[float, float]:
    """MB/s of `hague verify`'s fixity phase and of hashlib.file_digest over the same stored blobs."""
    hague = Hague.open(Settings(data_dir=folder / "blobs"))
    try:
        chunk = os.urandom(1 << 20)
        for i in range(total_mb // 8):
            hague.store.put_stream(__import__("io").BytesIO(chunk * 7 + i.to_bytes(8, "big") * (1 << 17)))
        paths = [hague.store.path_of(d) for d in hague.store.iter_digests()]  # type: ignore[attr-defined]
        size_mb = sum(p.stat().st_size for p in paths) / 1e6

        def baseline() -> None:
            for p in paths:
                with open(p, "rb") as fh:
                    hashlib.file_digest(fh, "sha256")

        baseline()  # warm the page cache for both
        base, ours = 0.0, 0.0
        for _ in range(3):  # alternate, keep the best of each
            base = max(base, size_mb / _timed(baseline))
            # the fixity phase alone: a full run minus a run without blobs (same fixed costs)
            fixity = _timed(lambda: verify(hague, records=False)) - _timed(
                lambda: verify(hague, blobs=False, records=False)
            )
            ours = max(ours, size_mb / max(fixity, 1e-9))
        return ours, base
    finally:
        hague.close()


def _timed(func: object) -> float:
    start = time.perf_counter()
    func()  # type: ignore[operator]
    return time.perf_counter() - start


def run(quick: bool) -> list[Result]:
    """Sizes: 1,000,000 entries (quick: 50,000)."""
    n = 50_000 if quick else 1_000_000
    batch = 10_000
    samples = 5_000 if quick else 50_000
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        hague = Hague.open(Settings(data_dir=folder / "log"))
        try:
            pm_tree, pm_appends = _pymerkle_appends(n, batch)
            plain = _plain_appends(folder, min(n, 200_000), batch)
            appends = _append(hague, n, batch)
            results.append(
                Result(
                    f"durable appends, SQLite, group commit {batch}",
                    appends,
                    "entries/s",
                    pm_appends,
                    "pymerkle in-memory",
                    ">= 100,000/s",
                    appends >= 100_000,
                    {"entries": n, "plain sqlite3 log": plain},
                )
            )
            results.append(
                Result(
                    f"durable appends vs a plain sqlite3 log, group commit {batch}",
                    appends,
                    "entries/s",
                    plain,
                    "plain sqlite3 log",
                    "report",
                )
            )
            pg = _postgres_appends(min(n, 200_000), batch)
            if pg is not None:
                results.append(
                    Result(
                        f"durable appends, PostgreSQL, group commit {batch}",
                        pg,
                        "entries/s",
                        pm_appends,
                        "pymerkle in-memory",
                        "report",
                    )
                )
            load_start = time.perf_counter()
            with hague.reader() as session:
                tree = stored_tree(session)
            load = time.perf_counter() - load_start
            rng = random.Random(7)
            picks = [rng.randrange(n) for _ in range(samples)]
            olds = [rng.randrange(1, n) for _ in range(samples)]
            incl = _rate(samples, lambda: [tree.inclusion_proof(i, n) for i in picks])
            pm_samples = max(500, samples // 20)
            pm_incl = _rate(pm_samples, lambda: [pm_tree.prove_inclusion(i + 1, n) for i in picks[:pm_samples]])
            results.append(
                Result(
                    f"inclusion proofs from the stored tree at {n:,}",
                    incl,
                    "proofs/s",
                    pm_incl,
                    "pymerkle in-memory",
                    ">= 50,000/s",
                    incl >= 50_000,
                    {"cache load s": load},
                )
            )
            cons = _rate(samples, lambda: [tree.consistency_proof(o, n) for o in olds])
            pm_cons = _rate(pm_samples, lambda: [pm_tree.prove_consistency(o, n) for o in olds[:pm_samples]])
            results.append(
                Result(
                    f"consistency proofs from the stored tree at {n:,}",
                    cons,
                    "proofs/s",
                    pm_cons,
                    "pymerkle in-memory",
                    ">= 50,000/s",
                    cons >= 50_000,
                )
            )
            root = tree.root(n)
            proofs = [(i, tree.leaf(i), tree.inclusion_proof(i, n)) for i in picks]
            ver = _rate(samples, lambda: _verify_each(proofs, n, root))
            pm_root = pm_tree.get_root(n)
            pm_proofs = [(pm_tree.get_leaf(i + 1), pm_tree.prove_inclusion(i + 1, n)) for i in picks[:pm_samples]]
            pm_ver = _rate(pm_samples, lambda: _pm_verify_each(pm_proofs, pm_root))
            results.append(
                Result(
                    f"inclusion verifications at {n:,}",
                    ver,
                    "verifications/s",
                    pm_ver,
                    "pymerkle",
                    ">= 60,000/s",
                    ver >= 60_000,
                )
            )
            floor = _rate(samples, lambda: _hash_chains(proofs))
            results.append(
                Result(
                    f"inclusion verifications vs their hashing alone at {n:,}",
                    ver,
                    "verifications/s",
                    floor,
                    "bare hashlib chain",
                    "report",
                )
            )
            pm_db = SqliteTree(str(folder / "pymerkle.sqlite3"))
            pm_n = min(n, 100_000)
            pm_db.append_entries([b"%d" % i for i in range(pm_n)])
            pm_sql = _rate(100, lambda: [pm_db.prove_inclusion(rng.randrange(1, pm_n), pm_n) for _ in range(100)], 1)
            results.append(
                Result(
                    f"inclusion proofs, stored tree vs pymerkle SqliteTree ({pm_n:,})",
                    incl,
                    "proofs/s",
                    pm_sql,
                    "pymerkle SQLite",
                    "report",
                )
            )
            elapsed = _timed(lambda: verify(hague, blobs=False))
            results.append(
                Result(
                    f"hague verify of the {n:,}-entry tree (no blob re-hash)",
                    elapsed,
                    "s",
                    None,
                    "",
                    "< 30 s at 1,000,000",
                    elapsed < 30 if n >= 1_000_000 else None,
                )
            )
        finally:
            hague.close()
        ours, base = _blob_rates(folder, 64 if quick else 512)
        results.append(
            Result(
                "blob re-hashing in hague verify",
                ours,
                "MB/s",
                base,
                "hashlib.file_digest",
                ">= 0.9 x file_digest",
                ours >= 0.9 * base,
            )
        )
    return results
