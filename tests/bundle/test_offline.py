"""The offline verifier stays dependency-light (no SQLAlchemy, no database layer) and its metadata table
encoding round-trips for any text."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from tests.bundle.conftest import populate_sender, vkeys

from hague.bundle import layout
from hague.bundle.verify import csv_row, metadata_table
from hague.core import Hague
from hague.ledger.keys import generate_key

HEAVY = ("sqlalchemy", "alembic", "psycopg", "hague.db", "hague.core", "hague.evidence", "hague.store", "fastapi")
CHECK = f"""
import sys
mod = sys.argv[1]
__import__(mod)
code = 0
if len(sys.argv) > 2:
    from hague.bundle.verify import main
    code = main(sys.argv[2:])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r} or m.startswith({HEAVY!r}))
print("HEAVY:" + ",".join(heavy))
raise SystemExit(code)
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CHECK, *args], capture_output=True, text=True, timeout=120)


def test_importing_the_verifier_loads_no_database_layer() -> None:
    result = _run("hague.bundle.verify")
    assert result.returncode == 0, result.stderr
    assert "HEAVY:\n" in result.stdout


def test_verifying_a_bundle_in_a_fresh_interpreter_loads_no_database_layer(hague: Hague, tmp_path: Path) -> None:
    from hague.bundle.collect import Selection
    from hague.bundle.create import create_bundle

    data = populate_sender(hague)
    generate_key(hague)
    made = create_bundle(
        hague, Selection(data.case, (data.physical, data.testimony)), tmp_path / "b", "lead", pdf=False
    )
    keys = tmp_path / "keys.txt"
    keys.write_text("\n".join(vkeys(hague)) + "\n")
    result = _run("hague.bundle.verify", str(made.path), "--keys-file", str(keys))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VERIFIED" in result.stdout and "HEAVY:\n" in result.stdout
    assert f"{data.physical}  OK" in result.stdout


text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)


@given(title=text, source=text, pseudonym=st.none() | text, suffixes=st.lists(st.sampled_from(["", "-Red", "-Red2"])))
def test_the_metadata_table_row_survives_csv_for_any_text(
    title: str, source: str, pseudonym: str | None, suffixes: list[str]
) -> None:
    item = {
        "ern": "UKR-OTP-0001-0001",
        "title": title,
        "source": source,
        "pseudonym": pseudonym,
        "files": [{"ern_suffix": s, "sha256": "ab" * 32, "derivation": "redacted" if s else None} for s in suffixes],
    }
    rows = list(csv.DictReader(io.StringIO(metadata_table([item]), newline="")))
    assert rows == [csv_row(item)]


@given(st.text(max_size=30))
def test_item_of_path_names_only_well_formed_erns(name: str) -> None:
    found = layout.item_of_path(f"data/files/{name}/x.bin")
    assert found is None or (found == name and layout.ERN.match(name))
