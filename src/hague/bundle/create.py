"""Creating a disclosure bundle: a BagIt 1.0 bag (RFC 8493) of the selected items, proved against a signed,
witnessed checkpoint, optionally encrypted to the recipient's age key; the creation is logged.

The bag is written to a staging folder beside the target (files are hashed while copied from the store,
so the manifest costs no second read), the `bundle.created` entry commits, and only then does the bag
(or its encrypted archive) appear under the target name. A failure leaves no bundle behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague import __version__
from hague.access.roles import get_user
from hague.bundle import layout
from hague.bundle.collect import Plan, Selection, collect
from hague.bundle.index import render_html, render_pdf
from hague.bundle.models import BundleCreated
from hague.bundle.verify import metadata_table
from hague.core import Hague
from hague.db.base import utcnow
from hague.errors import Conflict, IntegrityError, NotFound, ValidationError
from hague.ledger.attest import EntryKey, record_check, record_rows
from hague.ledger.canonical import record_hash
from hague.ledger.checkpoint import parse_checkpoint
from hague.ledger.checkpoints import create_checkpoint, present_checkpoint
from hague.ledger.keys import trusted_keys
from hague.ledger.models import LogEntry, LogWitness
from hague.ledger.note import parse_note
from hague.ledger.tree import stored_tree
from hague.store import BlobStore

CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class Created:
    """A bundle made: where it is, its hash, what it holds and which checkpoint proves it."""

    path: Path
    sha256: str
    items: list[str]
    withheld: list[dict[str, str]]
    checkpoint_size: int
    encrypted: bool


class _Bag:
    """A bag being written: payload files with their (sha256, size) as written."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.payload: dict[str, tuple[str, int]] = {}
        (root / "data").mkdir(parents=True)

    def write_bytes(self, rel: str, data: bytes) -> None:
        path = self.root / "data" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.payload[f"data/{rel}"] = (hashlib.sha256(data).hexdigest(), len(data))

    def write_json(self, rel: str, value: Any) -> None:
        self.write_bytes(rel, json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))

    def copy_blob(self, store: BlobStore, rel: str, sha256: str) -> None:
        """Copy a stored file into the bag, hashing as it goes; a mismatch is an integrity error."""
        path = self.root / "data" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with store.open(sha256) as src, path.open("wb") as dst:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
        if digest.hexdigest() != sha256:
            raise IntegrityError(f"stored file {sha256} reads back as {digest.hexdigest()}", sha256=sha256)
        self.payload[f"data/{rel}"] = (sha256, size)

    def finish(self, info: dict[str, str]) -> str:
        """Write bagit.txt, bag-info.txt and both manifests; returns the bundle hash (of the tag manifest)."""
        lines = "".join(f"{sha}  {rel}\n" for rel, (sha, _) in sorted(self.payload.items()))
        tags: dict[str, bytes] = {
            "bagit.txt": b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
            "manifest-sha256.txt": lines.encode("utf-8"),
        }
        octets = sum(size for _, size in self.payload.values())
        info = {**info, "Payload-Oxum": f"{octets}.{len(self.payload)}", "Bagging-Date": utcnow().date().isoformat()}
        tags["bag-info.txt"] = "".join(f"{k}: {v}\n" for k, v in sorted(info.items())).encode("utf-8")
        for name, data in tags.items():
            (self.root / name).write_bytes(data)
        tagmanifest = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(tags.items()))
        data = tagmanifest.encode("utf-8")
        (self.root / "tagmanifest-sha256.txt").write_bytes(data)
        return hashlib.sha256(data).hexdigest()


def _checkpoint(hague: Hague) -> str:
    """A fresh signed checkpoint, cosigned by the configured witnesses (final when a quorum is set)."""
    row = create_checkpoint(hague)
    with hague.reader() as session:
        witnesses = session.scalar(select(LogWitness.id).where(LogWitness.active.is_(True)).limit(1))
    if witnesses is not None:
        from hague.ledger.witness_client import request_cosignatures

        request_cosignatures(hague, row.id)
    return present_checkpoint(hague, row.id, final=hague.settings.witness_quorum > 0)


def _entries(session: Session, seqs: set[int], size: int) -> list[dict[str, Any]]:
    """Each entry's body and inclusion proof in the tree of `size`."""
    tree = stored_tree(session, size)
    wanted = sorted(seqs)
    rows: list[Any] = []
    for start in range(0, len(wanted), 1000):  # bounded IN lists (SQLite caps bound parameters)
        chunk = wanted[start : start + 1000]
        rows += session.execute(select(LogEntry.seq, LogEntry.body).where(LogEntry.seq.in_(chunk))).all()
    if len(rows) != len(seqs):
        raise IntegrityError("a log entry the bundle needs is missing")
    out = []
    for seq, body in sorted(rows):
        if seq >= size:
            raise Conflict(f"log entry {seq} is newer than the checkpoint of size {size}; try again")
        proof = tree.inclusion_proof(seq, size)
        out.append({"index": seq, "entry": layout.b64(bytes(body)), "inclusion": [layout.b64(h) for h in proof]})
    return out


def _keys(session: Session) -> str:
    """The log's public keys and its witnesses' keys, for reference (a verifier trusts its own copies)."""
    lines = ["# log signing keys (type 0x01)", *(k.to_text() for k in trusted_keys(session))]
    lines += ["# witness cosigning keys (type 0x04)", *session.scalars(select(LogWitness.vkey).order_by(LogWitness.id))]
    return "\n".join(lines) + "\n"


def _write(
    hague: Hague, plan: Plan, bag: _Bag, bundle: dict[str, Any], note: str, entries: list[Any], keys: str
) -> None:
    items: list[dict[str, Any]] = []
    custody: dict[str, list[dict[str, Any]]] = {}
    for planned in plan.items:
        meta = dict(planned.meta)
        files = []
        for f in planned.files:
            rel = layout.file_path(planned.ern, f.sha256, f.mime_type)
            bag.copy_blob(hague.store, rel, f.sha256)
            files.append({**f.meta, "path": rel})
        meta["files"] = files
        items.append(meta)
        custody[planned.ern] = planned.custody
        bag.write_json(layout.custody_path(planned.ern), planned.custody)
        if planned.upstream is not None:
            bag.write_json(layout.upstream_path(planned.ern), planned.upstream)
    bag.write_json(layout.METADATA_JSON, {"format": layout.FORMAT, "bundle": bundle, "items": items})
    bag.write_bytes(layout.METADATA_CSV, metadata_table(items).encode("utf-8"))
    bag.write_json(layout.ENTRIES_JSON, {"checkpoint_size": bundle["checkpoint_size"], "entries": entries})
    bag.write_bytes(layout.CHECKPOINT, note.encode("utf-8"))
    bag.write_bytes(layout.KEYS, keys.encode("utf-8"))
    html = render_html(bundle, items, custody)
    bag.write_bytes(layout.INDEX_HTML, html.encode("utf-8"))
    if bundle["pdf"]:
        bag.write_bytes(layout.INDEX_PDF, render_pdf(html))


def bundle_record(row: BundleCreated, case_code: str) -> dict[str, Any]:
    """What a `bundle.created` entry attests."""
    return {
        "sha256": row.sha256,
        "case": case_code,
        "created_by": row.created_by,
        "recipient": row.recipient,
        "files": row.files_mode,
        "encrypted": row.encrypted,
        "items": list(row.items),
        "withheld": list(row.withheld),
        "checkpoint_size": row.checkpoint_size,
        "checkpoint_root": row.checkpoint_root,
    }


def _encrypt(staging: Path, target: Path, recipient: str) -> None:
    import pyrage

    try:
        key = pyrage.x25519.Recipient.from_str(recipient.strip())
    except pyrage.RecipientError as exc:
        raise ValidationError(
            "the recipient key is not an age X25519 public key (age1...)", field="recipient_key"
        ) from exc
    tar_path = staging.with_name(staging.name + ".tar")
    with tarfile.open(tar_path, "w") as tar:
        tar.add(staging, arcname=target.name.removesuffix(".age").removesuffix(".tar"))
    try:
        pyrage.encrypt_file(str(tar_path), str(target), [key])
    finally:
        tar_path.unlink(missing_ok=True)


def create_bundle(
    hague: Hague,
    selection: Selection,
    target: Path,
    by: str,
    *,
    recipient_key: str | None = None,
    pdf: bool = True,
) -> Created:
    """Package the selection as a bag at `target` (a folder; with `recipient_key`, an age-encrypted tar)."""
    target = Path(target)
    if target.exists():
        raise Conflict(f"{target} already exists; bundles are never overwritten")
    with hague.reader() as session:
        user = get_user(session, by)
        plan = collect(session, selection, user)
    note = _checkpoint(hague)
    checkpoint = parse_checkpoint(parse_note(note).text)
    with hague.reader() as session:
        entries = _entries(session, {s for p in plan.items for s in p.seqs}, checkpoint.size)
        keys = _keys(session)
    bundle = {
        "case": plan.case.code,
        "organisation": plan.organisation,
        "recipient": plan.recipient,
        "files": selection.files,
        "for_defence": selection.for_defence,
        "selection": selection.describe(),
        "created_at": utcnow().astimezone(UTC).isoformat(),
        "created_by": user.username,
        "origin": checkpoint.origin,
        "checkpoint_size": checkpoint.size,
        "checkpoint_root": layout.b64(checkpoint.root),
        "withheld": plan.withheld,
        "pdf": pdf,
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.partial")
    if staging.exists():
        shutil.rmtree(staging)
    try:
        bag = _Bag(staging)
        _write(hague, plan, bag, bundle, note, entries, keys)
        sha = bag.finish(
            {
                "Source-Organization": plan.organisation,
                "External-Description": f"Hague disclosure bundle of case {plan.case.code}",
                "Bag-Software-Agent": f"hague {__version__}",
                "Hague-Log-Origin": checkpoint.origin,
                "Hague-Checkpoint-Size": str(checkpoint.size),
                "Hague-Recipient": plan.recipient or "unspecified",
            }
        )
        with hague.unit() as unit:
            row = BundleCreated(
                sha256=sha,
                case_id=plan.case.id,
                created_by=user.username,
                recipient=plan.recipient,
                files_mode=selection.files,
                encrypted=recipient_key is not None,
                items=[p.ern for p in plan.items],
                withheld=[w["ern"] for w in plan.withheld],
                checkpoint_size=checkpoint.size,
                checkpoint_root=checkpoint.root.hex(),
            )
            unit.session.add(row)
            unit.session.flush()
            unit.attest(
                "bundle.created",
                {
                    "bundle": sha,
                    "case": plan.case.code,
                    "id": row.id,
                    "items": len(row.items),
                    "record": record_hash(bundle_record(row, plan.case.code)),
                },
            )
            if recipient_key is not None:
                _encrypt(staging, target, recipient_key)
            else:
                os.rename(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return Created(target, sha, [p.ern for p in plan.items], plan.withheld, checkpoint.size, recipient_key is not None)


@record_check("bundle.created")
def _check_created(session: Session, fields: dict[str, Any]) -> str:
    row = session.get(BundleCreated, fields["id"])
    if row is None:
        raise NotFound(f"bundle record {fields['id']} is missing")
    from hague.evidence.models import Case

    case = session.get(Case, row.case_id)
    return record_hash(bundle_record(row, case.code if case else ""))


@record_rows("bundle.created", key=lambda fields: (fields.get("id"),))
def _created_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for row_id, sha in session.execute(select(BundleCreated.id, BundleCreated.sha256)):
        yield (row_id,), f"bundle {sha} (created)"
