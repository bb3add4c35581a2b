"""Tamper trials: random damage to blobs, rows, leaves and stored nodes is always found and named by verify.

One populated template instance (SQLite file + store + keys) is copied per trial; `HAGUE_TAMPER_TRIALS`
sets the number of trials of the slow test (default 500 in 5 shares, zero misses allowed).
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from hague.core import Hague
from hague.ledger.checkpoints import create_checkpoint
from hague.ledger.fsck import verify
from hague.ledger.keys import generate_key
from hague.settings import Settings
from tests.ledger.conftest import populate


@dataclass
class Template:
    folder: Path
    erns: list[str]
    blobs: list[str]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    folder = tmp_path_factory.mktemp("tamper-template")
    hague = Hague.open(Settings(data_dir=folder))
    result = populate(hague, items=6)
    generate_key(hague)
    create_checkpoint(hague)
    hague.close()
    return Template(folder, result.erns, result.blobs)


def _copy(template: Template, target: Path) -> Hague:
    shutil.copytree(template.folder, target)
    return Hague(Settings(data_dir=target))


def _flip(data: bytes, rng: random.Random) -> bytes:
    pos = rng.randrange(len(data))
    return data[:pos] + bytes([data[pos] ^ (1 << rng.randrange(8))]) + data[pos + 1 :]


Tamper = Callable[[Hague, sqlite3.Connection, random.Random, Template], tuple[str, str]]


def flip_blob(hague: Hague, db: sqlite3.Connection, rng: random.Random, t: Template) -> tuple[str, str]:
    digest = rng.choice(t.blobs)
    path: Path = hague.store.path_of(digest)  # type: ignore[attr-defined]
    path.chmod(0o600)
    path.write_bytes(_flip(path.read_bytes(), rng))
    return "blob", digest


def change_item_field(hague: Hague, db: sqlite3.Connection, rng: random.Random, t: Template) -> tuple[str, str]:
    ern = rng.choice(t.erns)
    column, value = rng.choice(
        [
            ("title", "Altered title"),
            ("description", "added later"),
            ("place_name", "Elsewhere"),
            ("lat", 12.5),
            ("collected_by", "someone else"),
            ("classification", "public"),
            ("method", "other"),
            ("lon", 0.0),
        ]
    )
    db.execute(f"UPDATE items SET {column} = ? WHERE ern = ?", (value, ern))
    return "record", ern


def flip_leaf(hague: Hague, db: sqlite3.Connection, rng: random.Random, t: Template) -> tuple[str, str]:
    (size,) = db.execute("SELECT count(*) FROM log_entries").fetchone()
    seq = rng.randrange(size)
    (leaf,) = db.execute("SELECT leaf_hash FROM log_entries WHERE seq = ?", (seq,)).fetchone()
    db.execute("UPDATE log_entries SET leaf_hash = ? WHERE seq = ?", (_flip(leaf, rng), seq))
    return "leaf", f"log entry #{seq} "


def flip_body(hague: Hague, db: sqlite3.Connection, rng: random.Random, t: Template) -> tuple[str, str]:
    (size,) = db.execute("SELECT count(*) FROM log_entries").fetchone()
    seq = rng.randrange(size)
    (body,) = db.execute("SELECT body FROM log_entries WHERE seq = ?", (seq,)).fetchone()
    db.execute("UPDATE log_entries SET body = ? WHERE seq = ?", (_flip(body, rng), seq))
    return "leaf", f"log entry #{seq} "


def flip_node(hague: Hague, db: sqlite3.Connection, rng: random.Random, t: Template) -> tuple[str, str]:
    rows = db.execute("SELECT level, idx, hash FROM log_nodes").fetchall()
    level, idx, digest = rng.choice(rows)
    db.execute("UPDATE log_nodes SET hash = ? WHERE level = ? AND idx = ?", (_flip(digest, rng), level, idx))
    return "node", f"stored node level {level} index {idx}"


def delete_row(hague: Hague, db: sqlite3.Connection, rng: random.Random, t: Template) -> tuple[str, str]:
    choice = rng.choice(["files", "items", "log_entries", "log_nodes", "incidents", "case_roles", "shares", "users"])
    if choice == "files":
        file_id, ern = rng.choice(
            db.execute("SELECT f.id, i.ern FROM files f JOIN items i ON i.id = f.item_id").fetchall()
        )
        db.execute("DELETE FROM files WHERE id = ?", (file_id,))
        return "record missing", ern
    if choice == "items":
        ern = rng.choice(t.erns)
        db.execute("DELETE FROM items WHERE ern = ?", (ern,))
        return "record missing", ern
    if choice == "log_entries":
        (size,) = db.execute("SELECT count(*) FROM log_entries").fetchone()
        seq = rng.randrange(size)
        db.execute("DELETE FROM log_entries WHERE seq = ?", (seq,))
        return "entry missing", f"log entry #{seq}"
    if choice == "log_nodes":
        level, idx = rng.choice(db.execute("SELECT level, idx FROM log_nodes").fetchall())
        db.execute("DELETE FROM log_nodes WHERE level = ? AND idx = ?", (level, idx))
        return "node missing", f"stored node level {level} index {idx}"
    if choice == "incidents":
        (incident,) = db.execute("SELECT id FROM incidents").fetchone()
        db.execute("DELETE FROM incidents WHERE id = ?", (incident,))
        return "record missing", f"incident {incident}"
    if choice == "case_roles":
        db.execute("DELETE FROM case_roles")
        return "record missing", "role investigator"
    if choice == "shares":
        (share,) = rng.choice(db.execute("SELECT id FROM shares").fetchall())
        db.execute("DELETE FROM shares WHERE id = ?", (share,))
        return "record missing", f"share {share}"
    username = rng.choice(["lead", "inv"])
    db.execute("DELETE FROM users WHERE username = ?", (username,))
    return "record missing", f"user {username}"


def insert_row(hague: Hague, db: sqlite3.Connection, rng: random.Random, t: Template) -> tuple[str, str]:
    code = f"R{rng.randrange(10**6)}"
    db.execute("INSERT INTO organisations (code, name, created_at) VALUES (?, 'x', '2026-01-01 00:00:00')", (code,))
    return "row without entry", f"organisation {code}"


TAMPERS: list[Tamper] = [flip_blob, change_item_field, flip_leaf, flip_body, flip_node, delete_row, insert_row]
SHARES = 5  # the trials run as 5 tests of every 5th seed, so parallel test workers share them


def _trial(template: Template, folder: Path, seed: int) -> str | None:
    rng = random.Random(seed)
    tamper = rng.choice(TAMPERS)
    hague = _copy(template, folder)
    try:
        db = sqlite3.connect(folder / "hague.sqlite3", isolation_level=None)
        kind, name = tamper(hague, db, rng, template)
        db.close()
        report = verify(hague, blobs=tamper is flip_blob)
    finally:
        hague.close()
    hits = [f for f in report.findings if f.kind == kind and name in f.subject + " " + f.detail]
    if not hits:
        return f"seed {seed}: {tamper.__name__} expected {kind} naming {name!r}, got {report.findings}"
    return None


def test_the_untouched_template_verifies(template: Template, tmp_path: Path) -> None:
    hague = _copy(template, tmp_path / "copy")
    try:
        assert verify(hague).ok
    finally:
        hague.close()


@pytest.mark.parametrize("tamper", TAMPERS, ids=lambda t: t.__name__)
def test_each_kind_of_tampering_is_found_and_named(template: Template, tmp_path: Path, tamper: Tamper) -> None:
    for seed in range(1000):
        if random.Random(seed).choice(TAMPERS) is tamper:
            assert _trial(template, tmp_path / "copy", seed) is None
            return


@pytest.mark.slow
@pytest.mark.parametrize("share", range(SHARES))
def test_random_tampering_is_never_missed(template: Template, tmp_path: Path, share: int) -> None:
    trials = int(os.environ.get("HAGUE_TAMPER_TRIALS", "500"))
    seeds = range(share, trials, SHARES)
    misses = [m for seed in seeds if (m := _trial(template, tmp_path / f"t{seed}", seed)) is not None]
    assert misses == [], f"{len(misses)} of {len(seeds)} missed: {misses[:3]}"
