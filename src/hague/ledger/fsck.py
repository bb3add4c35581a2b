"""`hague verify`: check everything from first principles and name exactly what is wrong.

Phases, each resumable from a cursor kept on the run row: `blobs` (re-hash every stored blob),
`entries` (recompute every leaf from its entry, rebuild the tree, compare every stored node, the
state row and every checkpoint root), `records` (recompute each attested record hash from the rows;
find rows never attested), `checkpoints` (signatures, origin, consistency between consecutive
checkpoints, cosignatures, timestamps). The result is stored and attested as `log.verified`.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

import hague
from hague.core import Hague
from hague.db.base import utcnow
from hague.errors import HagueError, NotFound, VerificationError
from hague.ledger.attest import CHECKS, ROWS, EntryKey, record_check
from hague.ledger.canonical import record_hash
from hague.ledger.checkpoint import open_checkpoint
from hague.ledger.keys import trusted_keys
from hague.ledger.log import NODE_LEVELS
from hague.ledger.models import LogCheckpoint, LogCosignature, LogState, LogVerifyRun, LogWitness
from hague.ledger.note import Note, parse_note, parse_signature_line, parse_verifier_key, verify_note
from hague.ledger.rfc9162 import EMPTY_ROOT, frontier_root, pack_frontier, unpack_frontier
from hague.ledger.tree import StoredTree, driver_rows
from hague.ledger.verify_offline import verify_consistency

PHASES = ("blobs", "entries", "records", "checkpoints", "done")
Progress = Callable[[str, int, int], None]
_sha256 = hashlib.sha256


@dataclass(frozen=True)
class Finding:
    """One thing that is wrong: what kind of check failed, which thing, and the evidence."""

    kind: str
    subject: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready."""
        return {"kind": self.kind, "subject": self.subject, "detail": self.detail}


@dataclass
class VerifyReport:
    """The outcome of a run."""

    run_id: int
    status: str
    size: int
    root: bytes
    counts: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was found wrong."""
        return not self.findings


class Interrupted(Exception):
    """Raised by `verify(stop_after=...)` to simulate an interruption (tests of resuming)."""


def load_record_checks() -> list[str]:
    """Import every module of Hague that registers record checks (they register on import); returns
    the modules that failed to import (their entries cannot be checked, which verify reports)."""
    failed: list[str] = []
    root = Path(hague.__file__).resolve().parent
    for info in pkgutil.walk_packages([str(root)], prefix="hague."):
        if info.ispkg or info.name.startswith(("hague.cli", "hague.web", "hague.migrations")):
            continue
        path = root.joinpath(*info.name.split(".")[1:]).with_suffix(".py")
        try:
            source = path.read_text(encoding="utf-8")
        except OSError:
            continue
        if "@record_check(" in source or "record_check(f" in source or "@record_rows(" in source:
            try:
                importlib.import_module(info.name)
            except Exception as exc:  # a broken area module must not stop the whole check
                failed.append(f"{info.name}: {exc!r}")
    return failed


def _entry_label(seq: int, kind: str, fields: dict[str, Any]) -> str:
    names = ("ern", "case", "code", "user", "role", "incident", "organisation", "share", "key_id", "witness", "run")
    ident = ", ".join(f"{k} {fields[k]}" for k in names if fields.get(k) not in (None, ""))
    return f"log entry #{seq} ({kind}{': ' + ident if ident else ''})"


class _Run:
    """State of one verify run, saved after each batch so it can resume."""

    def __init__(self, hague: Hague, row: LogVerifyRun, progress: Progress | None, stop_after: int | None) -> None:
        self.hague, self.row, self.progress = hague, row, progress
        self.findings = [Finding(**f) for f in row.findings]
        self.counts: dict[str, Any] = dict(row.counts)
        self.stop_after = stop_after
        self.batches = 0

    def add(self, kind: str, subject: str, detail: str) -> None:
        self.findings.append(Finding(kind, subject, detail))

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = int(self.counts.get(key, 0)) + n

    def save(self, phase: str, cursor: int, frontier: bytes | None = None) -> None:
        with self.hague.unit() as unit:
            row = unit.session.get(LogVerifyRun, self.row.id)
            assert row is not None
            row.phase, row.cursor = phase, cursor
            if frontier is not None:
                row.frontier = frontier
            row.counts = dict(self.counts)
            row.findings = [f.to_dict() for f in self.findings]
        self.row.phase, self.row.cursor = phase, cursor
        if frontier is not None:
            self.row.frontier = frontier
        self.batches += 1
        if self.stop_after is not None and self.batches >= self.stop_after:
            raise Interrupted(f"stopped after {self.batches} batches")

    def tick(self, phase: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(phase, done, total)


def _blob_labels(session: Session) -> dict[str, list[str]]:
    from hague.evidence.models import File, Item

    labels: dict[str, list[str]] = {}
    for file_id, sha256, ern in session.execute(
        select(File.id, File.sha256, Item.ern).join(Item, Item.id == File.item_id)
    ):
        labels.setdefault(sha256, []).append(f"file {file_id} of {ern}")
    return labels


def _rehash(hague: Hague, sha256: str) -> str:
    path_of = getattr(hague.store, "path_of", None)
    if path_of is not None:
        with open(path_of(sha256), "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    digest = hashlib.sha256()
    with hague.store.open(sha256) as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _phase_blobs(run: _Run, batch: int) -> None:
    with run.hague.reader() as session:
        labels = _blob_labels(session)
    digests = sorted(set(labels) | set(run.hague.store.iter_digests()))
    cursor = run.row.cursor
    for i in range(cursor, len(digests)):
        sha256 = digests[i]
        what = f"blob {sha256}" + (f" ({'; '.join(labels[sha256])})" if sha256 in labels else " (unreferenced)")
        try:
            got = _rehash(run.hague, sha256)
        except (OSError, HagueError) as exc:
            run.add("blob missing", what, f"cannot be read: {exc}")
        else:
            if got != sha256:
                run.add("blob", what, f"content hashes to {got}")
        run.count("blobs")
        if (i + 1) % batch == 0:
            run.tick("blobs", i + 1, len(digests))
            run.save("blobs", i + 1)
    run.tick("blobs", len(digests), len(digests))


def _compare_nodes(run: _Run, session: Session, created: dict[int, list[tuple[int, bytes]]]) -> None:
    for level, nodes in created.items():
        lo, hi = nodes[0][0], nodes[-1][0]
        stored: dict[int, bytes] = dict(
            list(
                session.execute(
                    text("SELECT idx, hash FROM log_nodes WHERE level = :l AND idx >= :a AND idx <= :b"),
                    {"l": level, "a": lo, "b": hi},
                ).tuples()
            )
        )
        for idx, digest in nodes:
            have = stored.get(idx)
            if have is None:
                run.add("node missing", f"stored node level {level} index {idx}", f"expected {digest.hex()}")
            elif bytes(have) != digest:
                run.add(
                    "node",
                    f"stored node level {level} index {idx}",
                    f"stored {bytes(have).hex()}, recomputed {digest.hex()}",
                )
        run.count("nodes", len(nodes))


def _phase_entries(run: _Run, batch: int) -> None:
    with run.hague.reader() as session:
        state = session.get(LogState, 1)
        size = 0 if state is None else int(state.size)
        checkpoints = [
            (r.size, r.id, r.root) for r in session.scalars(select(LogCheckpoint).order_by(LogCheckpoint.size))
        ]
        last_seq = session.scalar(select(func.max(text("seq"))).select_from(text("log_entries")))
    end = max(size, (last_seq + 1) if last_seq is not None else 0)
    frontier = unpack_frontier(run.row.frontier)
    leaves = int(run.counts.get("leaves", 0))  # leaves in the rebuilt tree (differs from pos after a gap)
    pos = run.row.cursor
    pending = [c for c in checkpoints if c[0] > pos or (c[0] == 0 and pos == 0)]
    for _size, cp_id, cp_root in [c for c in pending if c[0] == 0]:
        if bytes(cp_root) != EMPTY_ROOT:
            run.add("checkpoint", f"checkpoint #{cp_id} (size 0)", "root is not the empty-tree hash")
    pending = [c for c in pending if c[0] > 0]
    ci = 0
    while pos < end:
        created: dict[int, list[tuple[int, bytes]]] = {}
        upper = min(pos + batch, end)
        with run.hague.reader() as session:
            rows = driver_rows(
                session.connection(),
                "SELECT seq, kind, body, leaf_hash FROM log_entries WHERE seq >= ? AND seq < ? ORDER BY seq",
                (pos, upper),
            )
            next_cp = pending[ci][0] if ci < len(pending) else -1
            sha256 = _sha256
            for seq, kind, body, stored_leaf in rows:
                if pos != seq:
                    while pos < seq:  # a gap: the entry row was deleted
                        run.add("entry missing", f"log entry #{pos}", "no row with this index")
                        pos += 1
                leaf = sha256(b"\x00" + body).digest()
                if stored_leaf != leaf:
                    run.add(
                        "leaf",
                        f"log entry #{seq} ({kind})",
                        f"stored leaf {bytes(stored_leaf).hex()}, entry hashes to {leaf.hex()}",
                    )
                node, index, level = leaf, leaves, 0
                while index & 1:  # frontier_append, inlined (hot loop)
                    node = sha256(b"\x01" + frontier.pop() + node).digest()
                    index >>= 1
                    level += 1
                    if not level % NODE_LEVELS:  # the stored levels
                        created.setdefault(level, []).append((index, node))
                frontier.append(node)
                leaves += 1
                pos += 1
                if pos != next_cp:
                    continue
                while ci < len(pending) and pending[ci][0] == pos:
                    cp_size, cp_id, cp_root = pending[ci]
                    root = frontier_root(frontier)
                    if bytes(cp_root) != root:
                        run.add(
                            "checkpoint",
                            f"checkpoint #{cp_id} (size {cp_size})",
                            f"signed root {bytes(cp_root).hex()}, rebuilt from the entries {root.hex()}",
                        )
                    ci += 1
                next_cp = pending[ci][0] if ci < len(pending) else -1
            while pos < upper:
                run.add("entry missing", f"log entry #{pos}", "no row with this index")
                pos += 1
            _compare_nodes(run, session, created)
        run.counts["entries"], run.counts["leaves"] = pos, leaves
        run.tick("entries", pos, end)
        if pos < end:
            run.save("entries", pos, pack_frontier(frontier))
    root = frontier_root(frontier)
    with run.hague.reader() as session:
        state = session.get(LogState, 1)
        stored_frontier = b"" if state is None else bytes(state.frontier)
        node_count = int(session.scalar(text("SELECT count(*) FROM log_nodes")) or 0)
    if pack_frontier(frontier) != stored_frontier or size != end:
        run.add("state", "log state row", f"stored size {size}; rebuilt size {end}, root {root.hex()}")
    expected_nodes = sum(end >> level for level in range(NODE_LEVELS, end.bit_length() + 1, NODE_LEVELS))
    if node_count != expected_nodes:
        run.add("node", "log_nodes table", f"{node_count} stored nodes, a tree of {end} entries has {expected_nodes}")
    for cp_size, cp_id, _ in pending[ci:]:
        run.add("checkpoint", f"checkpoint #{cp_id} (size {cp_size})", f"is larger than the log ({end} entries)")
    run.row.size, run.row.root = end, root
    with run.hague.unit() as unit:
        row = unit.session.get(LogVerifyRun, run.row.id)
        assert row is not None
        row.size, row.root = end, root
    run.save("records", 0, pack_frontier(frontier))


def _phase_records(run: _Run, batch: int) -> None:
    kinds = sorted(CHECKS)
    pos = run.row.cursor
    if pos == 0:
        with run.hague.reader() as session:
            counts = session.execute(text("SELECT kind, count(*) FROM log_entries GROUP BY kind")).tuples()
            run.counts["unchecked"] = {kind: int(n) for kind, n in counts if kind not in CHECKS}
    stmt = text(
        "SELECT seq, kind, body FROM log_entries WHERE seq >= :a AND kind IN :kinds ORDER BY seq LIMIT :n"
    ).bindparams(bindparam("kinds", expanding=True))
    while kinds:
        with run.hague.reader() as session:
            rows = list(session.execute(stmt, {"a": pos, "n": batch, "kinds": kinds}).tuples())
            if not rows:
                break
            for seq, kind, body in rows:
                pos = seq + 1
                _check_entry(run, session, CHECKS[kind], seq, kind, bytes(body))
        run.tick("records", pos, run.row.size)
        run.save("records", pos)
    _orphans(run)
    run.save("checkpoints", 0)


def _check_entry(run: _Run, session: Session, check: Any, seq: int, kind: str, body: bytes) -> None:
    try:
        fields = json.loads(body)
    except ValueError:
        run.add("entry", f"log entry #{seq} ({kind})", "body is not JSON")
        return
    label = _entry_label(seq, kind, fields)
    attested = fields.get("record")
    if attested is None:
        run.add("record", label, "the entry carries no record hash")
        return
    try:
        computed = check(session, fields)
    except NotFound as exc:
        run.add("record missing", label, exc.message)
        return
    except (KeyError, TypeError, ValueError) as exc:
        run.add("record", label, f"cannot recompute: {exc!r}")
        return
    run.count("records")
    if computed != attested:
        run.add("record", label, f"attested record {attested}, rows hash to {computed}")


def _orphans(run: _Run) -> None:
    with run.hague.reader() as session:
        kinds = list(ROWS)
        seen: dict[str, set[EntryKey | None]] = {k: set() for k in kinds}
        if kinds:
            stmt = text("SELECT kind, body FROM log_entries WHERE kind IN :kinds").bindparams(
                bindparam("kinds", expanding=True)
            )
            for kind, body in session.execute(stmt, {"kinds": kinds}).tuples():
                try:
                    seen[kind].add(ROWS[kind][0](json.loads(body)))
                except ValueError:
                    continue
        for kind in kinds:
            for key, label in ROWS[kind][1](session):
                if key not in seen[kind]:
                    run.add("row without entry", label, f"no {kind} entry attests it")


def _phase_checkpoints(run: _Run) -> None:
    hague = run.hague
    with hague.reader() as session:
        keys = trusted_keys(session)
        rows = list(session.scalars(select(LogCheckpoint).order_by(LogCheckpoint.size, LogCheckpoint.id)))
        tree: StoredTree | None = None
        if len(rows) >= 2:  # consistency proofs between checkpoints need the tree
            tree = StoredTree()
            try:
                tree.refresh(session, check=False)  # the stored nodes were compared in `entries`
            except HagueError as exc:
                run.add("tree", "stored tree", f"cannot build proofs from it: {exc.message}")
                tree = None
        witnesses = {w.id: w for w in session.scalars(select(LogWitness))}
        cosigs = list(session.scalars(select(LogCosignature)))
    by_id = {r.id: r for r in rows}
    previous: LogCheckpoint | None = None
    for row in rows:
        subject = f"checkpoint #{row.id} (size {row.size})"
        try:
            verified = open_checkpoint(row.note, keys, origin=hague.settings.log_origin)
            if verified.checkpoint.size != row.size or verified.checkpoint.root != bytes(row.root):
                run.add("checkpoint", subject, "the signed note does not state the stored size and root")
        except VerificationError as exc:
            run.add("checkpoint", subject, f"{exc.details.get('step')}: {exc.message}")
        if previous is not None and tree is not None:
            try:
                proof = tree.consistency_proof(previous.size, row.size)
                verify_consistency(previous.size, row.size, bytes(previous.root), bytes(row.root), proof)
            except (VerificationError, NotFound) as exc:
                run.add(
                    "consistency",
                    f"checkpoints #{previous.id} (size {previous.size}) → #{row.id} (size {row.size})",
                    exc.message,
                )
        previous = row
        if row.tsa_token is not None:
            from hague.ledger.checkpoints import check_timestamp

            try:
                check_timestamp(hague, row)
            except VerificationError as exc:
                run.add("timestamp", subject, exc.message)
        run.count("checkpoints")
    for cosig in cosigs:
        row_or_none = by_id.get(cosig.checkpoint_id)
        witness = witnesses.get(cosig.witness_id)
        subject = f"cosignature {cosig.id} by {witness.name if witness else '?'}"
        try:
            if row_or_none is None or witness is None:
                raise VerificationError("checkpoint or witness is missing", step="cosignature")
            note = parse_note(row_or_none.note)
            key = parse_verifier_key(witness.vkey)
            result = verify_note(Note(note.text, (parse_signature_line(cosig.line.rstrip("\n")),)), [key])
            if result.get(key.to_text()) != cosig.timestamp:
                raise VerificationError("cosignature is not by this witness key", step="cosignature")
        except VerificationError as exc:
            run.add("cosignature", subject, exc.message)
        run.count("cosignatures")
    run.save("done", 0)


def run_record(row: LogVerifyRun) -> dict[str, Any]:
    """What a `log.verified` entry attests."""
    return {
        "run": row.id,
        "status": row.status,
        "size": row.size,
        "root": bytes(row.root).hex(),
        "counts": row.counts,
        "findings": row.findings,
    }


@record_check("log.verified")
def _check_verified(session: Session, fields: dict[str, Any]) -> str:
    row = session.get(LogVerifyRun, fields["run"])
    if row is None:
        raise NotFound(f"verify run {fields['run']} is missing")
    return record_hash(run_record(row))


def verify(
    hague: Hague,
    *,
    blobs: bool = True,
    records: bool = True,
    resume: bool = False,
    progress: Progress | None = None,
    batch: int = 50_000,
    stop_after: int | None = None,
) -> VerifyReport:
    """Run (or resume the last interrupted) verification; record and attest its result."""
    broken = load_record_checks()
    with hague.unit() as unit:
        row = None
        if resume:
            row = unit.session.scalar(
                select(LogVerifyRun).where(LogVerifyRun.status == "running").order_by(LogVerifyRun.id.desc()).limit(1)
            )
        if row is None:
            row = LogVerifyRun(
                status="running",
                options={"blobs": blobs, "records": records},
                phase="blobs",
                cursor=0,
                frontier=b"",
                size=0,
                root=b"",
                counts={},
                findings=[],
            )
            unit.session.add(row)
            unit.session.flush()
    run = _Run(hague, row, progress, stop_after)
    for module in broken:
        if not any(f.subject == module for f in run.findings):
            run.add("record checks", module, "this module's record checks could not be loaded")
    options = row.options
    if run.row.phase == "blobs":
        if options.get("blobs", True):
            _phase_blobs(run, max(1, batch // 100))
        run.save("entries", 0, b"")
    if run.row.phase == "entries":
        _phase_entries(run, batch)
    if run.row.phase == "records":
        if options.get("records", True):
            _phase_records(run, batch)
        else:
            run.save("checkpoints", 0)
    if run.row.phase == "checkpoints":
        _phase_checkpoints(run)
    status = "ok" if not run.findings else "failed"
    with hague.unit() as unit:
        final = unit.session.get(LogVerifyRun, run.row.id)
        assert final is not None
        final.status, final.finished_at = status, utcnow()
        final.counts, final.findings = dict(run.counts), [f.to_dict() for f in run.findings]
        unit.session.flush()
        unit.attest(
            "log.verified",
            {
                "run": final.id,
                "status": status,
                "findings": len(run.findings),
                "record": record_hash(run_record(final)),
            },
        )
    return VerifyReport(final.id, status, final.size, bytes(final.root), dict(run.counts), list(run.findings))


def run_scheduled_verify(hague: Hague, *, every: timedelta = timedelta(days=1)) -> VerifyReport | None:
    """One scheduler tick (cron or the web app): resume an interrupted run, or start one if the last
    finished run is older than `every`; returns None when nothing was due."""
    with hague.reader() as session:
        running = session.scalar(select(LogVerifyRun.id).where(LogVerifyRun.status == "running").limit(1))
        last = session.scalar(select(func.max(LogVerifyRun.finished_at)))
    if running is not None:
        return verify(hague, resume=True)
    if last is not None and utcnow() - last.replace(tzinfo=UTC) < every:
        return None
    return verify(hague)
