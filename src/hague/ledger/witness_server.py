"""A witness a partner organisation runs: C2SP tlog-witness `add-checkpoint`, cosigning with tlog-cosignature/v1.

State is a small SQLite file of the witness's own (it is a different party from the log): the latest
cosigned checkpoint per origin, every (origin, size, root) it ever cosigned, and evidence of misbehaviour.
Checking the old size and recording the new checkpoint happen in one `BEGIN IMMEDIATE` transaction.
A split view (another root for a size already cosigned) is recorded as evidence and refused with 409.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from hague.errors import VerificationError
from hague.ledger.checkpoint import parse_checkpoint
from hague.ledger.note import Signer, VerifierKey, parse_note, verify_note
from hague.ledger.verify_offline import verify_consistency
from hague.ledger.witness_client import parse_add_checkpoint

SCHEMA = """
CREATE TABLE IF NOT EXISTS latest (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL,
  note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cosigned (origin TEXT NOT NULL, size INTEGER NOT NULL, root BLOB NOT NULL,
  PRIMARY KEY (origin, size));
CREATE TABLE IF NOT EXISTS evidence (id INTEGER PRIMARY KEY, origin TEXT NOT NULL, kind TEXT NOT NULL,
  detail TEXT NOT NULL, known_note TEXT, request TEXT NOT NULL, created_at REAL NOT NULL);
"""


@dataclass
class WitnessState:
    """The witness's durable state file."""

    path: Path

    def __post_init__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as conn:
            conn.executescript(SCHEMA)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in autocommit mode; callers open `BEGIN IMMEDIATE` themselves."""
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            yield conn
        finally:
            conn.close()

    def evidence(self) -> list[dict[str, Any]]:
        """Recorded evidence of log misbehaviour, oldest first."""
        with self.connect() as conn:
            rows = conn.execute(
                "SELECT id, origin, kind, detail, known_note, request, created_at FROM evidence ORDER BY id"
            ).fetchall()
        keys = ("id", "origin", "kind", "detail", "known_note", "request", "created_at")
        return [dict(zip(keys, row, strict=True)) for row in rows]


class _Refusal(Exception):
    def __init__(self, status: int, body: str, media_type: str = "text/plain") -> None:
        super().__init__(body)
        self.status, self.body, self.media_type = status, body, media_type


def _record(conn: sqlite3.Connection, origin: str, kind: str, detail: str, known: str | None, body: str) -> None:
    conn.execute(
        "INSERT INTO evidence (origin, kind, detail, known_note, request, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (origin, kind, detail, known, body, time.time()),
    )


def add_checkpoint(state: WitnessState, signer: Signer, logs: dict[str, list[VerifierKey]], body: str) -> str:
    """Handle one add-checkpoint request; returns the cosignature line or raises `_Refusal`."""
    try:
        old, proof, note_text = parse_add_checkpoint(body)
        note = parse_note(note_text)
        checkpoint = parse_checkpoint(note.text)
    except VerificationError as exc:
        raise _Refusal(400, exc.message) from exc
    keys = logs.get(checkpoint.origin)
    if keys is None:
        raise _Refusal(404, "unknown log origin")
    try:
        if not verify_note(note, keys):
            raise _Refusal(403, "no signature from a trusted key of this log")
    except VerificationError as exc:
        raise _Refusal(403, exc.message) from exc
    if old > checkpoint.size:
        raise _Refusal(400, "old size is larger than the checkpoint size")
    with state.connect() as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            line = _decide(conn, signer, checkpoint.origin, checkpoint.size, checkpoint.root, old, proof, note, body)
        except _Refusal as refusal:
            conn.execute("COMMIT")  # keep recorded evidence
            raise refusal
        conn.execute("COMMIT")
    return line


def _decide(
    conn: sqlite3.Connection,
    signer: Signer,
    origin: str,
    size: int,
    root: bytes,
    old: int,
    proof: list[bytes],
    note: Any,
    body: str,
) -> str:
    seen = conn.execute("SELECT root FROM cosigned WHERE origin = ? AND size = ?", (origin, size)).fetchone()
    latest = conn.execute("SELECT size, root, note FROM latest WHERE origin = ?", (origin,)).fetchone()
    if seen is not None and bytes(seen[0]) != root:
        _record(
            conn,
            origin,
            "split view",
            f"two roots for size {size}: {bytes(seen[0]).hex()} and {root.hex()}",
            latest[2] if latest else None,
            body,
        )
        raise _Refusal(409, f"split view: another root was cosigned for size {size}")
    known_size = latest[0] if latest else 0
    if old != known_size:
        raise _Refusal(409, f"{known_size}\n", "text/x.tlog.size")
    if latest is not None:
        known_root = bytes(latest[1])
        try:
            verify_consistency(known_size, size, known_root, root, proof)
        except VerificationError as exc:
            kind = "split view" if known_size == size else "inconsistent"
            _record(conn, origin, kind, f"{exc.details.get('step')}: {exc.message}", latest[2], body)
            raise _Refusal(409 if kind == "split view" else 422, exc.message) from exc
    elif proof:
        raise _Refusal(422, "the proof from size 0 must be empty")
    conn.execute(
        "INSERT INTO latest (origin, size, root, note) VALUES (?, ?, ?, ?) ON CONFLICT(origin) DO UPDATE "
        "SET size = excluded.size, root = excluded.root, note = excluded.note",
        (origin, size, root, note.to_text()),
    )
    conn.execute("INSERT OR IGNORE INTO cosigned (origin, size, root) VALUES (?, ?, ?)", (origin, size, root))
    return signer.sign(note.text, int(time.time())).line()


def create_witness_app(state: WitnessState, signer: Signer, logs: dict[str, list[VerifierKey]]) -> FastAPI:
    """The witness HTTP service: POST /add-checkpoint, GET /evidence, GET /key."""
    app = FastAPI(title="Hague witness", docs_url=None, redoc_url=None)

    @app.post("/add-checkpoint")
    async def add(request: Request) -> Response:
        raw = await request.body()
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return PlainTextResponse("body is not UTF-8", status_code=400)
        try:
            line = add_checkpoint(state, signer, logs, body)
        except _Refusal as refusal:
            return Response(refusal.body, status_code=refusal.status, media_type=refusal.media_type)
        return PlainTextResponse(line)

    @app.get("/evidence")
    async def evidence() -> JSONResponse:
        return JSONResponse(state.evidence())

    @app.get("/key")
    async def key() -> PlainTextResponse:
        return PlainTextResponse(signer.verifier.to_text() + "\n")

    return app
