"""CLI for testimony: `hague vault`, `hague witness`, `hague interview`, `hague redact`, `hague pprl`.

Identities are read from a JSON file or stdin (never from arguments, which end up in shell history
and process lists) and are printed only by `witness reveal`.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from hague.access.roles import get_user
from hague.cli.common import console, instance, print_json, require_actor, translate_errors
from hague.errors import ValidationError
from hague.pprl import exchange
from hague.pprl.match import DEFAULT_THRESHOLD
from hague.settings import load_settings
from hague.testimony import consent, identity, interviews, redaction, vault, witnesses

vault_app = typer.Typer(help="The identity vault's master key.", no_args_is_help=True)
witness_app = typer.Typer(help="Witnesses under pseudonyms.", no_args_is_help=True)
interview_app = typer.Typer(help="Interview records and their files.", no_args_is_help=True)
pprl_app = typer.Typer(help="Repeat-interview linkage with partners (CLK encodings, no names).", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _read_json(path: Path, what: str) -> Any:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        return json.loads(text)
    except FileNotFoundError:
        raise ValidationError(f"{what} file not found") from None
    except (OSError, UnicodeDecodeError, ValueError):
        raise ValidationError(f"{what} is not readable UTF-8 JSON") from None


def _secret(path: Path) -> bytes:
    try:
        return path.read_bytes().strip()
    except OSError:
        raise ValidationError("cannot read the shared secret file") from None


@vault_app.command("init")
@translate_errors
def vault_init() -> None:
    """Generate the master key into DATA_DIR/vault/master.key (or HAGUE_MASTER_KEY_FILE), mode 0600."""
    from hague.cli.common import State

    settings = load_settings(State.config, data_dir=State.data_dir)
    path = vault.init_key_file(settings)
    console.print(f"master key written to {path} (keep a copy offline; without it identities are lost)")


@vault_app.command("rotate")
@translate_errors
def vault_rotate(new_key_file: Annotated[Path, typer.Option(help="File with the new base64 master key.")]) -> None:
    """Re-wrap every data key under a new master key; identities and evidence are not re-encrypted."""
    with instance() as hague, hague.unit() as unit:
        old = vault.load_master_key(hague.settings)
        new = vault.MasterKey.decode(new_key_file.read_text())
        count = vault.rotate_master_key(unit, old, new)
    console.print(f"{count} data keys re-wrapped under master key {new.key_id}; configure the new key file now")


@witness_app.command("add")
@translate_errors
def witness_add(
    case: str,
    identity_file: Annotated[Path, typer.Option("--identity", help="Identity JSON file, or - for stdin.")],
    as_json: JsonOpt = False,
) -> None:
    """Register a witness: prints the pseudonym and any repeat-interview warning."""
    data = identity.parse_identity(_read_json(identity_file, "identity"))
    with instance() as hague, hague.unit() as unit:
        user = get_user(unit.session, require_actor())
        added = witnesses.add_witness(unit, vault.Vault.from_settings(hague.settings), case, data, user)
        pseudonym = added.witness.pseudonym
    messages = [w.message() for w in added.warnings]
    if as_json:
        print_json({"pseudonym": pseudonym, "warnings": messages})
        return
    console.print(pseudonym)
    for message in messages:
        console.print(f"[yellow]warning[/]: {message}", highlight=False)


@witness_app.command("list")
@translate_errors
def witness_list(case: str, as_json: JsonOpt = False) -> None:
    """Pseudonyms of a case with their interview dates."""
    with instance() as hague, hague.reader() as session:
        rows = witnesses.list_witnesses(session, case, get_user(session, require_actor()))
    if as_json:
        print_json(rows)
        return
    table = Table("pseudonym", "interviews")
    for row in rows:
        dates: list[date] = row["interviews"]  # type: ignore[assignment]
        table.add_row(str(row["pseudonym"]), ", ".join(d.isoformat() for d in dates))
    console.print(table)


@witness_app.command("reveal")
@translate_errors
def witness_reveal(
    pseudonym: str, reason: Annotated[str, typer.Option(help="Why you need the identity (audited).")]
) -> None:
    """Show a witness's identity to a witness-protection officer or case lead; the reveal is audited."""
    with instance() as hague, hague.unit() as unit:
        user = get_user(unit.session, require_actor())
        shown = witnesses.reveal(unit, vault.Vault.from_settings(hague.settings), pseudonym, user, reason)
    print_json(shown.model_dump(mode="json"))


@interview_app.command("add")
@translate_errors
def interview_add(
    pseudonym: str, record: Annotated[Path, typer.Option("--record", help="Interview record JSON, or -.")]
) -> None:
    """Record an interview (refused, listing what is missing, without consent or mandatory fields)."""
    data = interviews.parse_interview(_read_json(record, "interview record"))
    with instance() as hague, hague.unit() as unit:
        created = interviews.add_interview(unit, pseudonym, data, get_user(unit.session, require_actor()))
        ern = created.item.ern
    console.print(ern)


@interview_app.command("list")
@translate_errors
def interview_list(pseudonym: str, as_json: JsonOpt = False) -> None:
    """Interviews of a witness."""
    with instance() as hague, hague.reader() as session:
        rows: list[dict[str, Any]] = [
            {
                "ern": i.item.ern,
                "date": i.interview_date,
                "start": i.start_time,
                "end": i.end_time,
                "place": i.place,
                "languages": i.languages,
                "recording_method": i.recording_method,
                "consent_partners": i.consent_partners,
            }
            for i in interviews.list_interviews(session, pseudonym, get_user(session, require_actor()))
        ]
    if as_json:
        print_json(rows)
        return
    table = Table("ERN", "date", "time", "place", "languages")
    for r in rows:
        table.add_row(
            r["ern"], r["date"].isoformat(), f"{r['start']}-{r['end']}", r["place"], ", ".join(r["languages"])
        )
    console.print(table)


@interview_app.command("attach")
@translate_errors
def interview_attach(
    ern: str,
    path: Path,
    role: Annotated[str, typer.Option(help="recording, transcript or translation.")],
    derived_from: Annotated[str | None, typer.Option(help="SHA-256 of the file it derives from.")] = None,
) -> None:
    """Store a recording, transcript or translation as a file of the interview item."""
    with instance() as hague, hague.unit() as unit:
        user = get_user(unit.session, require_actor())
        file = interviews.add_interview_file(unit, hague.store, ern, path, role, user, derived_from)
        console.print(f"{file.sha256} {file.original_name}", highlight=False)


@interview_app.command("withdraw")
@translate_errors
def interview_withdraw(
    ern: str,
    scope: Annotated[str, typer.Option(help="partner, defence or all.")],
    organisation: Annotated[str | None, typer.Option("--org", help="Partner organisation (scope partner).")] = None,
) -> None:
    """Record a withdrawal of consent and carry out what it triggers."""
    with instance() as hague, hague.unit() as unit:
        row = consent.withdraw_consent(unit, ern, scope, get_user(unit.session, require_actor()), organisation)
        effects = list(row.effects)
    for effect in effects:
        console.print(effect)


@translate_errors
def redact_cmd(
    ern: str,
    decision: Annotated[str, typer.Option(help="The authorising decision (e.g. a filing number).")],
    source: Annotated[str | None, typer.Option(help="SHA-256 of the transcript to redact.")] = None,
    spec: Annotated[Path | None, typer.Option(help="JSON list of {text|start,end, category, justification}.")] = None,
    lift_version: Annotated[str | None, typer.Option("--lift", help="Version to lift redactions from (-Red).")] = None,
    number: Annotated[list[int] | None, typer.Option(help="Redaction number to lift (repeatable).")] = None,
) -> None:
    """Make a redacted version (-Red, -Red2...) of a transcript, or lift redactions into a new version."""
    with instance() as hague, hague.unit() as unit:
        user = get_user(unit.session, require_actor())
        if lift_version:
            version = redaction.lift(unit, hague.store, ern, lift_version, number or [], decision, user)
        else:
            if not source or spec is None:
                raise ValidationError("give --source and --spec (or --lift and --number)")
            specs = redaction.parse_specs(_read_json(spec, "redaction spec"))
            version = redaction.redact(unit, hague.store, ern, source, specs, decision, user)
        suffix, count = version.ern_suffix, len(version.redactions)
    console.print(f"{ern.upper()}{suffix}: {count} redactions")


@pprl_app.command("export")
@translate_errors
def pprl_export(
    case: str,
    partner: Annotated[str, typer.Option(help="Partner organisation code.")],
    secret_file: Annotated[Path, typer.Option(help="File with the secret shared with the partner.")],
    out: Annotated[Path, typer.Option(help="Where to write the encodings (JSON).")],
) -> None:
    """Write CLK encodings (no names) of witnesses who consented to sharing with the partner."""
    with instance() as hague, hague.unit() as unit:
        doc = exchange.export_encodings(
            unit, vault.Vault.from_settings(hague.settings), case, partner, _secret(secret_file),
            get_user(unit.session, require_actor()),
        )  # fmt: skip
    out.write_text(exchange.export_json(doc), encoding="utf-8")
    console.print(f"{len(doc['records'])} encodings written to {out}")


@pprl_app.command("match")
@translate_errors
def pprl_match(
    case: str,
    encodings: Path,
    secret_file: Annotated[Path, typer.Option(help="File with the secret shared with the partner.")],
    threshold: Annotated[float, typer.Option(min=0.5, max=1.0)] = DEFAULT_THRESHOLD,
    as_json: JsonOpt = False,
) -> None:
    """Report our witnesses the partner probably heard too: partner, their reference and dates."""
    doc = _read_json(encodings, "encodings")
    with instance() as hague, hague.reader() as session:
        found = exchange.match_partner(
            session, vault.Vault.from_settings(hague.settings), case, doc, _secret(secret_file),
            get_user(session, require_actor()), threshold,
        )  # fmt: skip
    rows: list[dict[str, Any]] = [
        {
            "pseudonym": c.pseudonym,
            "partner": c.partner,
            "partner_ref": c.partner_ref,
            "heard_on": list(c.heard_on),
            "score": c.score,
        }
        for c in found
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("our pseudonym", "heard by", "their reference", "when", "similarity")
    for r in rows:
        table.add_row(r["pseudonym"], r["partner"], r["partner_ref"], ", ".join(r["heard_on"]), f"{r['score']:.3f}")
    console.print(table)


@pprl_app.command("import")
@translate_errors
def pprl_import(
    case: str,
    encodings: Path,
    secret_file: Annotated[Path, typer.Option(help="File with the secret shared with the partner.")],
) -> None:
    """Keep a partner's encodings so every new witness of the case is checked against them."""
    doc = _read_json(encodings, "encodings")
    with instance() as hague, hague.unit() as unit:
        imp = exchange.import_encodings(
            unit, vault.Vault.from_settings(hague.settings), case, doc, _secret(secret_file),
            get_user(unit.session, require_actor()),
        )  # fmt: skip
        count = imp.records
    console.print(f"{count} partner encodings kept for repeat warnings in {case.upper()}")


def register(app: typer.Typer) -> None:
    """Add the testimony commands to the `hague` app."""
    app.add_typer(vault_app, name="vault")
    app.add_typer(witness_app, name="witness")
    app.add_typer(interview_app, name="interview")
    app.add_typer(pprl_app, name="pprl")
    app.command("redact")(redact_cmd)
