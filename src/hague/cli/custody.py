"""CLI for chain of custody (`hague custody`), forensic forms (`hague forensic`) and SOP tracing (`hague workflow`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from hague.access import get_user
from hague.cli.common import console, instance, print_json, require_actor, translate_errors
from hague.custody import anomalies as custody_anomalies
from hague.custody.case_uco import provenance_graph
from hague.custody.events import record
from hague.custody.imports import import_events, read_csv
from hague.custody.inputs import EventInput
from hague.custody.labels import write_labels
from hague.custody.report import write_report
from hague.custody.trails import load_trails
from hague.errors import ValidationError
from hague.forensics.register import get_form, linked_incidents, record_form
from hague.workflow import conformance
from hague.workflow.processmap import process_map, to_svg
from hague.workflow.sop import register_sop

custody_app = typer.Typer(help="Chain of custody: events, import, anomalies, PDF report, labels.", no_args_is_help=True)
workflow_app = typer.Typer(
    help="Standard operating procedures: register, check conformance, map.", no_args_is_help=True
)
forensic_app = typer.Typer(help="Structured forensic forms and incident links.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Opt = Annotated[str, typer.Option()]


def _when(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(f"--at {text!r} is not an ISO 8601 time", field="at") from exc
    if when.tzinfo is None:
        raise ValidationError("--at needs a UTC offset, e.g. 2026-03-01T10:00:00+02:00", field="at")
    return when


def _scope(case: str | None, org: str | None) -> tuple[str | None, str | None]:
    if bool(case) == bool(org):
        raise ValidationError("give exactly one of --case or --org")
    return case, org


@custody_app.command("record")
@translate_errors
def record_cmd(
    ern: str,
    event_type: Annotated[str, typer.Argument(help="collected, sealed, transferred, received, stored, ...")],
    at: Annotated[str | None, typer.Option(help="ISO 8601 time with offset; default now.")] = None,
    tz: Annotated[str, typer.Option(help="IANA time zone of the place.")] = "UTC",
    place: Opt = "",
    reason: Opt = "",
    seal: Annotated[list[str] | None, typer.Option(help="Seal number (repeat).")] = None,
    seal_state: Annotated[str, typer.Option(help="intact, broken or replaced.")] = "",
    condition: Opt = "",
    notes: Opt = "",
    attach: Annotated[list[Path] | None, typer.Option(help="File to attach (repeat), e.g. a signed form.")] = None,
    receiver: Annotated[str, typer.Option(help="transferred: username of the receiver.")] = "",
    examiner: Annotated[str, typer.Option(help="checked_out: username of the examiner.")] = "",
    facility: Opt = "",
    room: Opt = "",
    shelf: Opt = "",
    method: Opt = "",
    lab: Opt = "",
    result: Opt = "",
    result_file: Annotated[list[Path] | None, typer.Option(help="examined: result file (repeat).")] = None,
    sample_title: Opt = "",
    copy: Annotated[Path | None, typer.Option(help="copied: the copy, re-hashed through the store.")] = None,
    source_sha256: Opt = "",
    destination: Opt = "",
    decision: Annotated[str, typer.Option(help="disposed: the authorising decision.")] = "",
    authorised_by: Annotated[str, typer.Option(help="disposed: who authorised it (username).")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Record one custody event; every rule is checked and the event is logged."""
    with instance() as hague:
        with hague.reader() as session:
            actor = get_user(session, require_actor())
        put = hague.store.put_path
        event = EventInput(
            event_type=event_type,
            occurred_at=_when(at),
            tz=tz,
            place=place,
            reason=reason,
            seal_numbers=tuple(seal or ()),
            seal_state=seal_state,
            condition=condition,
            notes=notes,
            attachments=tuple(put(p).sha256 for p in attach or ()),
            receiver=receiver,
            examiner=examiner,
            facility=facility,
            room=room,
            shelf=shelf,
            method=method,
            lab=lab,
            result=result,
            result_files=tuple(put(p).sha256 for p in result_file or ()),
            sample_title=sample_title,
            source_sha256=source_sha256,
            copy_sha256=put(copy).sha256 if copy else "",
            destination=destination,
            decision=decision,
            authorised_by=authorised_by,
        )
        row = record(hague, ern, actor, event)
    if as_json:
        print_json({k: v for k, v in row.items() if not k.endswith("_id")})
    else:
        console.print(f"{row['ern']} event {row['seq']}: {row['event_type']} by {row['actor_name']}", highlight=False)


@custody_app.command("show")
@translate_errors
def show_cmd(ern: str, as_json: JsonOpt = False) -> None:
    """Show an item's chain of custody."""
    with instance() as hague, hague.reader() as session:
        trails = load_trails(session, ern=ern)
    steps = trails[0].steps if trails else []
    if as_json:
        print_json(
            [
                {
                    "seq": s.seq,
                    "event": s.event_type,
                    "at": s.occurred_at,
                    "actor": s.actor_name,
                    "counterpart": s.counterpart_name,
                    "place": s.place or s.facility,
                    "seals": s.seal_numbers,
                    "seal_state": s.seal_state,
                    "source": s.source,
                }
                for s in steps
            ]
        )
        return
    table = Table("#", "time (UTC)", "event", "actor", "counterpart", "place", "seals")
    for s in steps:
        seals = ", ".join(s.seal_numbers) + (f" ({s.seal_state})" if s.seal_state else "")
        table.add_row(
            str(s.seq), s.occurred_at.isoformat(), s.event_type, s.actor_name, s.counterpart_name, s.place, seals
        )
    console.print(table)


@custody_app.command("export")
@translate_errors
def export_cmd(ern: str) -> None:
    """Print an item's chain of custody as CASE/UCO JSON-LD (ProvenanceRecord, InvestigativeAction)."""
    with instance() as hague, hague.reader() as session:
        print_json(provenance_graph(session, ern))


@custody_app.command("import")
@translate_errors
def import_cmd(case: str, csv_file: Path) -> None:
    """Import another system's custody log (CSV); history is kept as recorded and judged by `anomalies`."""
    with instance() as hague, hague.unit() as unit:
        count = import_events(unit, case, read_csv(csv_file))
    console.print(f"{count} custody events imported into {case}")


@custody_app.command("anomalies")
@translate_errors
def anomalies_cmd(
    case: Annotated[str | None, typer.Option(help="Case code.")] = None,
    item: Annotated[str | None, typer.Option(help="One item's ERN.")] = None,
    hours: Annotated[int, typer.Option(help="Unacknowledged transfer threshold.")] = 48,
    as_json: JsonOpt = False,
) -> None:
    """Anomaly report of a case or an item (exit code 1 when anything is found)."""
    if bool(case) == bool(item):
        raise ValidationError("give exactly one of --case or --item")
    with instance() as hague, hague.reader() as session:
        found = custody_anomalies.report(session, case_code=case, ern=item, unacknowledged_after=timedelta(hours=hours))
    if as_json:
        print_json([a.to_dict() for a in found])
    else:
        for a in found:
            console.print(f"{a.ern} #{a.seq} {a.kind}: {a.message}", highlight=False)
        console.print(f"{len(found)} anomalies")
    if found:
        raise typer.Exit(1)


@custody_app.command("report")
@translate_errors
def report_cmd(ern: str, out: Annotated[Path, typer.Option("--out", help="PDF to write.")]) -> None:
    """Write the custody report PDF of an item (timeline, actors, seals, hashes, integrity)."""
    with instance() as hague:
        write_report(hague, ern, out)
    console.print(f"custody report of {ern.upper()} written to {out}", highlight=False)


@custody_app.command("labels")
@translate_errors
def labels_cmd(erns: list[str], out: Annotated[Path, typer.Option("--out", help="PDF to write.")]) -> None:
    """Write printable evidence labels (ERN and QR code) for items."""
    with instance() as hague:
        write_labels(hague, erns, out)
    console.print(f"{len(erns)} labels written to {out}", highlight=False)


@workflow_app.command("sop")
@translate_errors
def sop_cmd(organisation: str, yaml_file: Path) -> None:
    """Register a new version of an organisation's SOP (YAML)."""
    with instance() as hague, hague.unit() as unit:
        row = register_sop(
            unit, organisation, yaml_file.read_text(encoding="utf-8"), get_user(unit.session, require_actor())
        )
        console.print(
            f"SOP {row.name!r} registered as version {row.version} of {organisation.upper()}", highlight=False
        )


@workflow_app.command("check")
@translate_errors
def check_cmd(
    case: Annotated[str | None, typer.Option(help="Case code.")] = None,
    org: Annotated[str | None, typer.Option(help="Organisation code.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check every item's trail against its organisation's SOP (exit code 1 when any deviates)."""
    with instance() as hague, hague.reader() as session:
        case, org = _scope(case, org)
        result = conformance.check(session, case_code=case, organisation=org)
    if as_json:
        print_json(result.to_dict())
    else:
        for d in result.deviations:
            console.print(f"{d.ern} #{d.seq} {d.kind}: {d.message}", highlight=False)
        deviant, unchecked = len(result.deviant_items), len(result.without_sop)
        console.print(f"{result.checked} items checked, {deviant} deviate, {unchecked} without SOP")
    if result.deviations:
        raise typer.Exit(1)


@workflow_app.command("map")
@translate_errors
def map_cmd(
    case: Annotated[str | None, typer.Option(help="Case code.")] = None,
    org: Annotated[str | None, typer.Option(help="Organisation code.")] = None,
    svg: Annotated[Path | None, typer.Option(help="Write the map as SVG here.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json-out", help="Write the map as JSON here.")] = None,
) -> None:
    """Draw the actual process (directly-follows graph with counts and median waits) as SVG and JSON."""
    with instance() as hague, hague.reader() as session:
        case, org = _scope(case, org)
        graph = process_map(session, case_code=case, organisation=org)
    if svg:
        svg.write_text(to_svg(graph), encoding="utf-8")
    if json_out:
        json_out.write_text(json.dumps(graph, indent=2), encoding="utf-8")
    if not (svg or json_out):
        print_json(graph)


@forensic_app.command("record")
@translate_errors
def forensic_record_cmd(
    ern: str,
    form: Annotated[str, typer.Argument(help="weapon, cartridge_case, projectile, munition_remnant, ...")],
    data: Annotated[str, typer.Option(help="Fields as JSON, or @file.json.")],
    photo: Annotated[Path | None, typer.Option(help="Photo with scale (ballistic forms).")] = None,
) -> None:
    """Attach the structured forensic form of an item (validated and logged)."""
    text = Path(data[1:]).read_text(encoding="utf-8") if data.startswith("@") else data
    try:
        fields: dict[str, Any] = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"--data is not JSON: {exc.msg}", field="data") from exc
    with instance() as hague:
        if photo:
            fields["photo_sha256"] = hague.store.put_path(photo).sha256
        with hague.unit() as unit:
            record_form(unit, hague.store, ern, form, fields, get_user(unit.session, require_actor()))
    console.print(f"{form} form recorded for {ern.upper()}", highlight=False)


@forensic_app.command("show")
@translate_errors
def forensic_show_cmd(ern: str) -> None:
    """Print an item's forensic form as JSON."""
    with instance() as hague, hague.reader() as session:
        row = get_form(session, ern)
        print_json({"ern": ern.upper(), "form": row.form, "data": row.data})


@forensic_app.command("links")
@translate_errors
def forensic_links_cmd(
    case: str,
    by: Annotated[str, typer.Option(help="munition_type, weapon_system or headstamp.")] = "munition_type",
    value: Annotated[str | None, typer.Option(help="Only this value.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Incidents linked by a shared munition type, weapon system or headstamp."""
    with instance() as hague, hague.reader() as session:
        groups = linked_incidents(session, case, by=by, value=value)
    if as_json:
        print_json([g.to_dict() for g in groups])
        return
    for g in groups:
        console.print(
            f"{' / '.join(g.values)}: {len(g.incidents)} incidents ({', '.join(i['title'] for i in g.incidents)}); "
            f"items {', '.join(g.items)}",
            highlight=False,
        )
