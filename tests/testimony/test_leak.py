"""The leak test: no plaintext name, date of birth or phone in the database, its dump, logs, exports or errors."""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from hague.cli.common import State
from hague.core import Hague
from hague.errors import HagueError
from hague.pprl.exchange import export_encodings, export_json
from hague.testimony.identity import parse_identity
from hague.testimony.interviews import add_interview, parse_interview
from hague.testimony.redaction import RedactionSpec, redact
from hague.testimony.vault import Vault
from hague.testimony.witnesses import add_witness, reveal
from tests.testimony.conftest import PARTNER, cli_app, interview_data, user

PEOPLE = [
    {
        "given_name": "Ярослава",
        "family_name": "Кривошеєнко",
        "patronymic": "Остапівна",
        "names_original": ["Кривошеєнко Ярослава Остапівна"],
        "transliterations": ["Kryvosheienko Yaroslava"],
        "date_of_birth": "1971-06-17",
        "phones": ["+380931234509"],
        "address": "Буча, вул. Яблунська 7",
        "relatives": [{"relation": "husband", "name": "Остап Кривошеєнко", "contact": "+380661110022"}],
    },
    {
        "given_name": "Zakhar",
        "family_name": "Perebyinis",
        "date_of_birth": "1988-02-29",
        "phones": ["+380507778812"],
    },
    {
        "given_name": "Евдокия",
        "family_name": "Загорулько",
        "date_of_birth": "1949-12-08",
        "phones": ["+79161234567"],
    },
]


def needles() -> list[str]:
    """Every plaintext name, date of birth (several spellings) and phone of the people above."""
    out: list[str] = []
    for p in PEOPLE:
        out += [p["given_name"], p["family_name"], *p.get("names_original", []), *p.get("transliterations", [])]
        if p.get("patronymic"):
            out.append(p["patronymic"])
        y, m, d = p["date_of_birth"].split("-")
        out += [p["date_of_birth"], f"{d}.{m}.{y}", f"{d}/{m}/{y}"]
        out += p["phones"] + [ph.lstrip("+") for ph in p["phones"]]
        out += [r["name"] for r in p.get("relatives", [])] + [r["contact"] for r in p.get("relatives", [])]
    return out


def hits(label: str, data: bytes) -> list[str]:
    """Needles found in `data` (as UTF-8 and as UTF-16-LE, which SQLite and some tools use)."""
    return [
        f"{label}: {n}"
        for n in needles()
        if n.encode("utf-8") in data or n.encode("utf-16-le") in data or n.lower().encode() in data.lower()
    ]


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """Every Python log record (SQL statements with their parameters included) into one file."""
    path = tmp_path / "hague.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    yield path
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    root.removeHandler(handler)
    root.setLevel(old)
    handler.close()


def test_no_plaintext_identity_anywhere(
    hague: Hague, vault: Vault, case: str, tmp_path: Path, log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[str] = []
    exports: dict[str, bytes] = {}
    pseudonyms = []
    for person in PEOPLE:
        with hague.unit() as unit:
            added = add_witness(unit, vault, case, parse_identity(person), user(unit.session, "investigator-user"))
            pseudonyms.append(added.witness.pseudonym)
            errors += [w.message() for w in added.warnings]
        with hague.unit() as unit:
            interview = add_interview(
                unit, pseudonyms[-1], parse_interview(interview_data()), user(unit.session, "investigator-user")
            )
            ern = interview.item.ern
    # a repeat (another spelling), so a warning is produced and checked too
    with hague.unit() as unit:
        again = {**PEOPLE[0], "given_name": "Yaroslava", "family_name": "Kryvosheyenko"}
        added = add_witness(unit, vault, case, parse_identity(again), user(unit.session, "wpo-user"))
        errors += [w.message() for w in added.warnings]
    assert added.warnings
    with hague.unit() as unit:
        reveal(unit, vault, pseudonyms[0], user(unit.session, "wpo-user"), "protection review before relocation")

    # error paths that see identity data
    attempts = [
        lambda: parse_identity({**PEOPLE[0], "date_of_birth": PEOPLE[0]["family_name"]}),
        lambda: parse_identity({**PEOPLE[1], "phones": PEOPLE[1]["phones"][0]}),
        lambda: parse_identity({**PEOPLE[2], "unexpected": PEOPLE[2]["given_name"]}),
    ]
    for attempt in attempts:
        with pytest.raises(HagueError) as err:
            attempt()
        errors.append(err.value.message + json.dumps(err.value.details, ensure_ascii=False))
    with hague.unit() as unit, pytest.raises(HagueError) as err:
        reveal(unit, vault, pseudonyms[1], user(unit.session, "analyst-user"), "curious about the witness")
    errors.append(err.value.message)

    # transcript with the name, redacted for disclosure: the -Red text and PDF are exports
    transcript = tmp_path / "t.txt"
    transcript.write_text(f"Witness {PEOPLE[0]['given_name']} {PEOPLE[0]['family_name']} ({PEOPLE[0]['phones'][0]}).\n")
    from hague.evidence.models import File
    from hague.testimony.interviews import add_interview_file

    with hague.unit() as unit:
        f = add_interview_file(unit, hague.store, ern, transcript, "transcript", user(unit.session, "wpo-user"))
        v = redact(
            unit, hague.store, ern, f.sha256,
            [RedactionSpec("A.1", "witness name", f"{PEOPLE[0]['given_name']} {PEOPLE[0]['family_name']}"),
             RedactionSpec("A.4", "contact", PEOPLE[0]["phones"][0])],
            "decision 7", user(unit.session, "case_lead-user"),
        )  # fmt: skip
        for fid in (v.text_file_id, v.pdf_file_id):
            row = unit.session.get(File, fid)
            assert row is not None
            with hague.store.open(row.sha256) as fh:
                exports[f"redacted {row.original_name}"] = fh.read()
        with pytest.raises(HagueError) as err:
            redact(
                unit,
                hague.store,
                ern,
                f.sha256,
                [RedactionSpec("A.1", "name", PEOPLE[2]["family_name"])],
                "d",
                user(unit.session, "case_lead-user"),
            )
        errors.append(err.value.message)
    pdf = tmp_path / "red.pdf"
    pdf.write_bytes(exports[next(k for k in exports if k.endswith(".pdf"))])
    exports["red pdf text"] = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout

    with hague.unit() as unit:
        doc = export_encodings(
            unit, vault, case, PARTNER, b"partners-secret-0123456789", user(unit.session, "wpo-user")
        )
        exports["pprl export"] = export_json(doc).encode()

    # the CLI: output and error messages
    identity_file = tmp_path / "identity.json"
    identity_file.write_text(json.dumps({**PEOPLE[1], "date_of_birth": "1988-02-30"}, ensure_ascii=False))
    monkeypatch.setenv("HAGUE_DATA_DIR", str(hague.settings.data_dir))
    monkeypatch.setenv("HAGUE_DATABASE_URL", hague.settings.resolved_database_url)
    monkeypatch.setenv("HAGUE_MASTER_KEY", vault.master.encode())
    runner = CliRunner()
    outputs: list[str] = []
    codes: list[int] = []
    try:
        for args in (
            ["--as", "wpo-user", "witness", "add", case, "--identity", str(identity_file)],
            ["--as", "wpo-user", "witness", "list", case, "--json"],
            ["--as", "viewer-user", "witness", "reveal", pseudonyms[2], "--reason", "I would like to know"],
            [
                "--as",
                "wpo-user",
                "pprl",
                "export",
                case,
                "--partner",
                PARTNER,
                "--secret-file",
                str(identity_file),
                "--out",
                str(tmp_path / "x.json"),
            ],
        ):
            result = runner.invoke(cli_app(), args)
            codes.append(result.exit_code)
            outputs.append(result.output + (result.stderr if result.stderr_bytes is not None else ""))
    finally:
        State.actor = None
    assert codes == [2, 0, 2, 0] and "UKR-OTP-P-0001" in outputs[1], outputs
    errors += outputs
    exports["cli export"] = (tmp_path / "x.json").read_bytes()

    hague.close()  # SQLite: checkpoint the WAL into the main file before reading it
    found: list[str] = []
    url = make_url(hague.settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        db = Path(str(url.database))
        for path in [db, *db.parent.glob(db.name + "-*")]:
            found += hits(path.name, path.read_bytes())
    else:
        dump = subprocess.run(
            ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", str(url.database)], capture_output=True, check=True
        ).stdout
        assert b"witness_identities" in dump
        found += hits("pg_dump", dump)
    log_bytes = log_file.read_bytes()
    assert b"witness_identities" in log_bytes  # the SQL log really captured the vault's writes
    found += hits("log", log_bytes)
    for name, data in exports.items():
        found += hits(name, data)
    for i, message in enumerate(errors):
        found += hits(f"error/output {i}", message.encode())
    assert hits("control", transcript.read_bytes())  # the needles do match plaintext where it is expected
    assert found == []
