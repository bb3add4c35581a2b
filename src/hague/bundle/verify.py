"""Offline verification of a disclosure bundle: no database, no network (what the defence and the court run).

Imports only the stdlib, `bagit`, `pyrage` (for encrypted bundles) and `hague.ledger.verify_offline`;
a test imports this module in a fresh interpreter and checks SQLAlchemy never loads. Steps, per item:
1. BagIt: structure, completeness (no file missing, none added), every manifest and tag-manifest hash;
2. the checkpoint: signed by a trusted log key, cosignatures by trusted witness keys (quorum);
3. every log entry: its inclusion proof leads to the checkpoint root (RFC 9162 §2.1.3.2);
4. every file: its SHA-256 and size against its `file.added`/`derivative.added` entry;
5. metadata and custody records: their record hashes against the entries that attest them;
6. items received from another instance: the sender's checkpoint and proofs (upstream).
A failure never stops the run: the verdict names every item and step that failed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bagit

from hague.bundle import layout
from hague.errors import VerificationError
from hague.ledger.canonical import record_hash
from hague.ledger.note import VerifierKey, b64decode, parse_note
from hague.ledger.verify_offline import (
    Checkpoint,
    open_checkpoint,
    parse_checkpoint,
    parse_verifier_key,
    verify_inclusion,
)

AGE_MAGIC = b"age-encryption.org/v1"
HASH_WORKERS = max(2, min(8, os.cpu_count() or 2))
BUNDLE = "bundle"


@dataclass(frozen=True)
class Trust:
    """The keys the verifier trusts: log signing keys (type 0x01) and witness cosigning keys (type 0x04)."""

    log_keys: tuple[VerifierKey, ...]
    witness_keys: tuple[VerifierKey, ...] = ()
    quorum: int | None = None

    @property
    def required(self) -> int:
        """Cosignatures required: the given quorum, or every trusted witness by default."""
        return len(self.witness_keys) if self.quorum is None else self.quorum


def parse_trust(lines: Iterable[str], quorum: int | None = None) -> Trust:
    """Trusted keys from vkey lines (blank lines and `#` comments skipped); sorted by key type."""
    keys = [parse_verifier_key(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return Trust(
        tuple(k for k in keys if k.alg == 0x01),
        tuple(k for k in keys if k.alg == 0x04),
        quorum,
    )


@dataclass(frozen=True)
class Failure:
    """One failed check: which item (ERN, or `bundle`), which step, and what was found."""

    subject: str
    step: str
    message: str

    def line(self) -> str:
        """`<subject>: <step>: <message>`."""
        return f"{self.subject}: {self.step}: {self.message}"


@dataclass
class Verdict:
    """The outcome of verifying one bundle: per-item failures and bundle-wide ones."""

    bundle_sha256: str = ""
    checkpoint: Checkpoint | None = None
    signed_by: tuple[str, ...] = ()
    cosigned_by: tuple[str, ...] = ()
    items: dict[str, list[Failure]] = field(default_factory=dict)
    bundle: list[Failure] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True only when every check of every item passed."""
        return not self.bundle and not any(self.items.values())

    def failures(self) -> list[Failure]:
        """Every failure, bundle-wide first."""
        return [*self.bundle, *(f for fs in self.items.values() for f in fs)]

    def fail(self, subject: str | None, step: str, message: str) -> None:
        """Record a failure against an item (or the bundle when `subject` is None or unknown)."""
        failure = Failure(subject or BUNDLE, step, message)
        if subject and subject in self.items:
            self.items[subject].append(failure)
        else:
            self.bundle.append(failure)

    def lines(self) -> list[str]:
        """The human-readable verdict: the checkpoint, then one line per item, then each failure."""
        out = [f"bundle {self.bundle_sha256 or '?'}"]
        if self.checkpoint is not None:
            cp = self.checkpoint
            out.append(
                f"checkpoint {cp.origin} size {cp.size} signed by {', '.join(self.signed_by) or 'no trusted key'}; "
                f"cosigned by {', '.join(self.cosigned_by) or 'no trusted witness'}"
            )
        for failure in self.bundle:
            out.append(f"FAILED {failure.line()}")
        for ern, failures in self.items.items():
            if failures:
                out.append(f"{ern}  FAILED  " + "; ".join(f"{f.step}: {f.message}" for f in failures))
            else:
                c = self.counts.get(ern, {})
                proven = "OK" if not self.bundle else "NOT PROVEN (bundle-wide failure)"
                out.append(
                    f"{ern}  {proven}  ({c.get('files', 0)} files, {c.get('custody', 0)} custody events, "
                    f"{c.get('entries', 0)} log entries)"
                )
        out.append("VERIFIED" if self.ok else f"FAILED: {len(self.failures())} problem(s)")
        return out

    def raise_for_failure(self) -> None:
        """Fail closed: raise VerificationError naming the first failure's item and step."""
        if self.ok:
            return
        first = self.failures()[0]
        raise VerificationError(
            f"bundle does not verify: {first.line()}",
            step=first.step,
            item=first.subject,
            failures=[f.line() for f in self.failures()],
        )


def _record_hash(value: Any) -> str:
    try:
        return record_hash(value)
    except (TypeError, ValueError):
        return "not canonical"


class _Hashes:
    """SHA-256 and size of each file, computed by a thread pool ahead of the checks that need them
    (hashlib releases the GIL while hashing, so the per-item checks overlap the reading)."""

    def __init__(self, pool: ThreadPoolExecutor, root: Path, paths: Iterable[str]) -> None:
        self.futures = {rel: pool.submit(_digest_size, root / rel) for rel in paths}

    def get(self, rel: str) -> tuple[str, int] | None:
        """The (sha256, size) of a file, or None if it is not there or cannot be read."""
        future = self.futures.get(rel)
        if future is None:
            return None
        if future.cancelled():
            return None
        try:
            return future.result()
        except OSError:
            return None

    def payload(self) -> set[str]:
        """The payload paths that were hashed."""
        return {rel for rel in self.futures if rel.startswith("data/") and self.get(rel) is not None}


def _digest_size(path: Path) -> tuple[str, int]:
    with path.open("rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
        return digest, os.fstat(fh.fileno()).st_size


def _structure(root: Path, bag: bagit.Bag, verdict: Verdict) -> None:
    """Step 1a: SHA-256 manifests, tag-manifest coverage, completeness (no file missing, none added)."""
    if "sha256" not in bag.algorithms:
        verdict.fail(None, "bag format", "the bag has no SHA-256 manifest")
    tagged = set(bag.entries) - {p for p in bag.entries if p.startswith("data/")}
    for needed in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt"):
        if needed not in tagged:
            verdict.fail(None, "tag manifest", f"{needed} is not covered by tagmanifest-sha256.txt")
    missing, unexpected = bag.compare_manifests_with_fs()
    for path in missing:
        verdict.fail(layout.item_of_path(path), "bag completeness", f"{path} is in the manifest but not in the bag")
    for path in unexpected:
        verdict.fail(layout.item_of_path(path), "bag completeness", f"{path} is in the bag but not in the manifest")
    for rel in sorted(bag.entries):
        if not rel.startswith("data/") and not (root / rel).is_file():
            verdict.fail(None, "tag manifest", f"{rel} is in the tag manifest but not in the bag")


def _compare_manifests(bag: bagit.Bag, hashes: _Hashes, verdict: Verdict) -> None:
    """Step 1b: every manifest and tag-manifest hash against the file's computed hash."""
    for rel, expected in sorted(bag.entries.items()):
        found = hashes.get(rel)
        if found is not None and expected.get("sha256") != found[0]:
            step = "manifest" if rel.startswith("data/") else "tag manifest"
            message = f"{rel} has SHA-256 {found[0]}, the manifest says {expected.get('sha256')}"
            verdict.fail(layout.item_of_path(rel), step, message)


@dataclass
class _Proven:
    """Log entries whose inclusion in the checkpoint was proved, indexed for the per-item checks."""

    registered: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    custody: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    imports: list[dict[str, Any]] = field(default_factory=list)
    per_item: dict[str, int] = field(default_factory=dict)


def _prove_entries(rows: Any, cp: Checkpoint, verdict: Verdict, subject: str | None, step: str) -> _Proven:
    """Steps 3: each entry's inclusion proof against `cp`; failures go to the entry's ERN (or `subject`)."""
    proven = _Proven()
    if not isinstance(rows, list):
        verdict.fail(subject, step, "the log entries are not a list")
        return proven
    for n, row in enumerate(rows):
        try:
            index = row["index"]
            if not isinstance(index, int) or isinstance(index, bool):
                raise TypeError("index is not an integer")
            entry = b64decode(row["entry"], "log entry")
            proof = [b64decode(h, "inclusion proof") for h in row["inclusion"]]
            fields: dict[str, Any] = json.loads(entry)
        except (KeyError, TypeError, ValueError, VerificationError) as exc:
            verdict.fail(subject, step, f"log entry #{n} is malformed ({exc})")
            continue
        ern = fields.get("ern") if isinstance(fields.get("ern"), str) else None
        who = subject or ern
        try:
            verify_inclusion(index, cp.size, hashlib.sha256(b"\x00" + entry).digest(), proof, cp.root)
        except VerificationError as exc:
            verdict.fail(who, step, f"entry {index} ({fields.get('type')}): {exc.message}")
            continue
        kind = fields.get("type")
        if ern:
            proven.per_item[ern] = proven.per_item.get(ern, 0) + 1
        if kind == "item.registered" and ern:
            proven.registered[ern] = fields
        elif kind in layout.FILE_ENTRY_KINDS and ern:
            proven.files[(ern, str(fields.get("sha256")))] = fields
        elif isinstance(kind, str) and kind.startswith("custody.") and ern and isinstance(fields.get("seq"), int):
            proven.custody[(ern, fields["seq"])] = fields
        elif kind == "bundle.imported":
            proven.imports.append(fields)
    return proven


def _open_checkpoint(text: str, trust: Trust, verdict: Verdict, subject: str | None, prefix: str) -> Checkpoint | None:
    """Step 2: the signed checkpoint; an untrusted one is reported, and its claims are still used to report more."""
    try:
        verified = open_checkpoint(
            text, list(trust.log_keys), witness_keys=list(trust.witness_keys), quorum=trust.required
        )
    except VerificationError as exc:
        step = str(exc.details.get("step", "checkpoint"))
        verdict.fail(subject, prefix + ("checkpoint signature" if step == "note signature" else step), exc.message)
        try:
            return parse_checkpoint(parse_note(text).text)
        except VerificationError:
            return None
    if subject is None:
        names = {k.to_text(): k.name for k in (*trust.log_keys, *trust.witness_keys)}
        verdict.signed_by = tuple(names.get(k, k) for k in verified.signed_by)
        verdict.cosigned_by = tuple(names.get(k, k) for k in verified.cosigned_by)
    return verified.checkpoint


def _read_json(root: Path, rel: str, verdict: Verdict, subject: str | None, step: str) -> Any:
    try:
        return json.loads((root / "data" / rel).read_bytes())
    except (OSError, ValueError) as exc:
        verdict.fail(subject, step, f"data/{rel} cannot be read as JSON ({type(exc).__name__})")
        return None


def csv_row(item: dict[str, Any]) -> dict[str, str]:
    """The metadata-table row of an item, as the creator writes it and the verifier expects it."""
    files = item.get("files", [])
    refs = item.get("external_refs", [])
    return {
        "ern": str(item.get("ern", "")),
        "collected_at": str(item.get("collected_at") or ""),
        "collected_tz": str(item.get("collected_tz", "")),
        "title": str(item.get("title", "")),
        "kind": str(item.get("kind", "")),
        "source": str(item.get("source", "")),
        "language": str(item.get("language", "")),
        "classification": str(item.get("classification", "")),
        "pseudonym": str(item.get("pseudonym") or ""),
        "versions": layout.versions_text(files),
        "sha256": " ".join(str(f.get("sha256", "")) for f in files),
        "external_refs": " ".join(f"{r.get('origin')}:{r.get('ern')}" for r in refs),
    }


def metadata_table(items: list[dict[str, Any]]) -> str:
    """The metadata table (CSV, RFC 4180: CRLF rows, so a CR or LF inside a field is always quoted)."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(layout.CSV_COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(csv_row(item) for item in items)
    return out.getvalue()


SUMMARY_FIELDS = ("ern", "title", "kind", "source", "language", "classification", "collected_at", "collected_tz")


def _check_item(
    root: Path,
    item: dict[str, Any],
    proven: _Proven,
    hashes: _Hashes,
    table: dict[str, dict[str, str]],
    verdict: Verdict,
    trust: Trust,
) -> set[str]:
    """Steps 4-6 for one item; returns the payload paths the item accounts for."""
    ern = item["ern"]
    used: set[str] = set()
    fail = verdict.fail
    record = item.get("record")
    entry = proven.registered.get(ern)
    if entry is None:
        fail(ern, "log entry", "no proven item.registered entry for this ERN")
    elif _record_hash(record) != entry.get("record"):
        fail(ern, "metadata record", "the item's metadata does not match the record hash its log entry attests")
    if isinstance(record, dict):
        for name in SUMMARY_FIELDS:
            if item.get(name) != record.get(name):
                fail(ern, "metadata record", f"{name} differs from the attested record")
    if table.get(ern) != csv_row(item):
        fail(ern, "metadata table", "the CSV row differs from the JSON metadata")
    files = item.get("files", [])
    for f in files:
        rel = "data/" + str(f.get("path"))
        used.add(rel)
        sha = str(f.get("sha256"))
        found = hashes.get(rel)
        if found is None:
            fail(ern, "file missing", f"{rel} ({f.get('ern_suffix') or 'original'}) is not in the bag")
        elif found != (sha, f.get("size")):
            fail(ern, "file hash", f"{rel} has SHA-256 {found[0]}, the item's log entry attests {sha}")
        fentry = proven.files.get((ern, sha))
        if fentry is None:
            fail(ern, "file entry", f"no proven file entry attests SHA-256 {sha}")
        elif fentry.get("size") != f.get("size") or _record_hash(f.get("record")) != fentry.get("record"):
            fail(ern, "metadata record", f"the file record of {sha} does not match its log entry")
    events = _read_json(root, layout.custody_path(ern), verdict, ern, "custody history")
    used.add("data/" + layout.custody_path(ern))
    if isinstance(events, list):
        for event in events:
            seq = event.get("seq") if isinstance(event, dict) else None
            centry = proven.custody.get((ern, seq)) if isinstance(seq, int) else None
            if centry is None:
                fail(ern, "custody entry", f"custody event {seq} has no proven log entry")
            elif _record_hash(event) != centry.get("record"):
                fail(ern, "custody record", f"custody event {seq} does not match the record hash of its log entry")
        attested = sum(1 for (e, _) in proven.custody if e == ern)
        if attested != len(events):
            fail(ern, "custody history", f"{attested} custody entries are proven but the history has {len(events)}")
    if item.get("upstream"):
        used.add("data/" + layout.upstream_path(ern))
        _check_upstream(root, item, proven, verdict, trust)
    verdict.counts[ern] = {
        "files": len(files),
        "custody": len(events) if isinstance(events, list) else 0,
        "entries": proven.per_item.get(ern, 0),
    }
    return used


def _check_upstream(root: Path, item: dict[str, Any], proven: _Proven, verdict: Verdict, trust: Trust) -> None:
    """Step 6: the sender's checkpoint, proofs and file entries for an item received in a bundle."""
    ern = item["ern"]
    up = _read_json(root, layout.upstream_path(ern), verdict, ern, "upstream")
    if not isinstance(up, dict):
        return
    cp = _open_checkpoint(str(up.get("checkpoint", "")), trust, verdict, ern, "upstream ")
    if cp is None:
        return
    theirs = _prove_entries(up.get("entries"), cp, verdict, ern, "upstream inclusion")
    external = str(up.get("external_ern"))
    if external not in theirs.registered:
        verdict.fail(ern, "upstream entry", f"the sender's log does not prove item {external}")
    received = set(up.get("files", []))
    for sha in sorted({str(f.get("sha256")) for f in item.get("files", [])} & received):
        if (external, sha) not in theirs.files:
            verdict.fail(ern, "upstream entry", f"the sender's log does not prove file {sha} of {external}")
    root_b64 = layout.b64(cp.root)
    tied = any(
        e.get("bundle") == up.get("bundle_sha256") and e.get("checkpoint_root") == root_b64 for e in proven.imports
    )
    if not tied:
        verdict.fail(ern, "upstream import entry", "no proven bundle.imported entry ties this item to the sender's log")


def _walk(root: Path) -> list[str]:
    """Every regular file under the bag folder (relative POSIX paths), payload in sorted order."""
    found = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        rel = Path(folder).relative_to(root).as_posix()
        found += [name if rel == "." else f"{rel}/{name}" for name in sorted(names)]
    return [p for p in found if (root / p).is_file() and not (root / p).is_symlink()]


def verify_bag(path: Path, trust: Trust) -> Verdict:
    """Verify an unpacked disclosure bag against the trusted keys; never raises for a bad bundle."""
    root = Path(path)
    verdict = Verdict()
    pool = ThreadPoolExecutor(max_workers=HASH_WORKERS, thread_name_prefix="bundle-hash")
    try:
        # Hashing starts at once, while the manifests and metadata are parsed and checked.
        hashes = _Hashes(pool, root, _walk(root))
        _verify(root, trust, verdict, hashes)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return verdict


def _verify(root: Path, trust: Trust, verdict: Verdict, hashes: _Hashes) -> None:
    found = hashes.get("tagmanifest-sha256.txt")
    if found is None:
        verdict.fail(None, "tag manifest", "tagmanifest-sha256.txt is missing")
    else:
        verdict.bundle_sha256 = found[0]
    try:
        bag = bagit.Bag(str(root))
    except bagit.BagError as exc:
        verdict.fail(None, "bag format", str(exc))
        return
    meta = _read_json(root, layout.METADATA_JSON, verdict, None, "metadata format")
    items = meta.get("items") if isinstance(meta, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("ern"), str) for i in items):
        verdict.fail(None, "metadata format", "data/metadata/items.json does not list items with ERNs")
        items = []
    for item in items:
        verdict.items.setdefault(item["ern"], [])
    _structure(root, bag, verdict)
    used = _verify_contents(root, items, hashes, verdict, trust)
    _compare_manifests(bag, hashes, verdict)
    if used is not None:
        for rel in sorted(hashes.payload() - used):
            verdict.fail(layout.item_of_path(rel), "unexpected file", f"{rel} is not part of any item's metadata")


def _verify_contents(
    root: Path, items: list[dict[str, Any]], hashes: _Hashes, verdict: Verdict, trust: Trust
) -> set[str] | None:
    """Steps 2-6; returns the payload paths the metadata accounts for (None if the checkpoint is unusable)."""
    try:
        note = (root / "data" / layout.CHECKPOINT).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        verdict.fail(None, "checkpoint format", "data/log/checkpoint.txt is missing or not UTF-8")
        return None
    cp = _open_checkpoint(note, trust, verdict, None, "")
    if cp is None:
        return None
    verdict.checkpoint = cp
    rows = _read_json(root, layout.ENTRIES_JSON, verdict, None, "log entries")
    proven = _prove_entries(rows.get("entries") if isinstance(rows, dict) else rows, cp, verdict, None, "inclusion")
    table: dict[str, dict[str, str]] = {}
    try:
        text = (root / "data" / layout.METADATA_CSV).read_text(encoding="utf-8")
        table = {row["ern"]: dict(row) for row in csv.DictReader(io.StringIO(text, newline=""))}
    except (OSError, UnicodeDecodeError, KeyError, csv.Error):
        verdict.fail(None, "metadata table", "data/metadata/items.csv is missing or malformed")
    used = {f"data/{p}" for p in (layout.METADATA_JSON, layout.METADATA_CSV, layout.ENTRIES_JSON, layout.CHECKPOINT)}
    used |= {f"data/{p}" for p in (layout.KEYS, layout.INDEX_HTML, layout.INDEX_PDF)}
    for item in items:
        used |= _check_item(root, item, proven, hashes, table, verdict, trust)
    return used


@contextmanager
def opened(path: Path, identities: Iterable[str] = ()) -> Iterator[Path]:
    """The bag folder: `path` itself, or a tar / age-encrypted tar unpacked into a temporary folder."""
    path = Path(path)
    if path.is_dir():
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="hague-bundle-") as tmp:
        work = Path(tmp)
        tar_path = path
        with path.open("rb") as fh:
            encrypted = fh.read(len(AGE_MAGIC)) == AGE_MAGIC
        if encrypted:
            import pyrage

            try:
                keys = [pyrage.x25519.Identity.from_str(i.strip()) for i in identities if i.strip()]
            except pyrage.IdentityError as exc:
                raise VerificationError("the age identity is malformed", step="decrypt") from exc
            if not keys:
                raise VerificationError("the bundle is encrypted: give the recipient's age identity", step="decrypt")
            tar_path = work / "bundle.tar"
            try:
                pyrage.decrypt_file(str(path), str(tar_path), keys)
            except (pyrage.DecryptError, OSError) as exc:
                raise VerificationError(f"the bundle cannot be decrypted: {exc}", step="decrypt") from exc
        try:
            with tarfile.open(tar_path) as tar:
                tar.extractall(work / "bag", filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise VerificationError(f"the bundle archive cannot be unpacked: {exc}", step="bag format") from exc
        tops = list((work / "bag").iterdir())
        yield tops[0] if len(tops) == 1 and tops[0].is_dir() else work / "bag"


def verify_path(path: Path, trust: Trust, identities: Iterable[str] = ()) -> Verdict:
    """Verify a bundle folder, tar or age-encrypted tar."""
    with opened(path, identities) as root:
        return verify_bag(root, trust)


def main(argv: list[str] | None = None) -> int:
    """`python -m hague.bundle.verify BUNDLE --keys-file KEYS`: the verifier without the rest of Hague."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m hague.bundle.verify", description=__doc__.split("\n")[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--key", action="append", default=[], help="a trusted verifier key; repeat")
    parser.add_argument("--keys-file", type=Path, help="file of trusted verifier keys, one a line")
    parser.add_argument("--quorum", type=int, default=None)
    parser.add_argument("--identity", type=Path, help="age identity file for an encrypted bundle")
    args = parser.parse_args(argv)
    try:
        lines = list(args.key) + (args.keys_file.read_text().splitlines() if args.keys_file else [])
        identities = args.identity.read_text().splitlines() if args.identity else []
        verdict = verify_path(args.bundle, parse_trust(lines, args.quorum), identities)
    except (VerificationError, OSError) as exc:
        sys.stderr.write(f"error: {getattr(exc, 'message', exc)}\n")
        return 2
    sys.stdout.write("\n".join(verdict.lines()) + "\n")
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
