"""CLI for the evidence register: organisations, cases, incidents, items, intake."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from hague.cli.common import console, instance, print_json, translate_errors
from hague.evidence import ingest as intake
from hague.evidence import register
from hague.evidence.views import case_view, incident_view, item_view

org_app = typer.Typer(help="Organisations.", no_args_is_help=True)
case_app = typer.Typer(help="Cases.", no_args_is_help=True)
incident_app = typer.Typer(help="Incidents.", no_args_is_help=True)
item_app = typer.Typer(help="Evidence items.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@org_app.command("create")
@translate_errors
def org_create(code: str, name: str) -> None:
    """Register an organisation (its code appears in ERNs)."""
    with instance() as hague, hague.unit() as unit:
        org = register.create_organisation(unit, code, name)
        console.print(f"organisation {org.code} created")


@case_app.command("create")
@translate_errors
def case_create(
    title: str,
    organisation: Annotated[str, typer.Option("--org", help="Owning organisation code.")],
    situation: Annotated[str, typer.Option("--situation", help="Situation code, ERN prefix (e.g. UKR).")],
    as_json: JsonOpt = False,
) -> None:
    """Open a case; prints its code (e.g. UKR-OTP-0001)."""
    with instance() as hague, hague.unit() as unit:
        case = register.create_case(unit, organisation, situation, title)
        view = case_view(case)
    print_json(view) if as_json else console.print(view["code"])


@case_app.command("list")
@translate_errors
def case_list(as_json: JsonOpt = False) -> None:
    """List cases."""
    with instance() as hague, hague.reader() as session:
        views = [case_view(c, register.count_items(session, c.code)) for c in register.list_cases(session)]
    if as_json:
        print_json(views)
        return
    table = Table("code", "title", "items")
    for v in views:
        table.add_row(v["code"], v["title"], str(v["items"]))
    console.print(table)


@incident_app.command("add")
@translate_errors
def incident_add(
    case: str,
    title: str,
    description: str = "",
    date_from: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
    date_to: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
    place: str = "",
    lat: float | None = None,
    lon: float | None = None,
    accuracy_m: float | None = None,
    crime: Annotated[list[str] | None, typer.Option(help="Rome Statute article, e.g. 8(2)(b)(iv).")] = None,
    act: Annotated[list[str] | None, typer.Option(help="HURIDOCS act type.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record an incident in a case."""
    with instance() as hague, hague.unit() as unit:
        incident = register.add_incident(
            unit,
            case,
            title,
            description=description,
            date_from=date_from.date() if date_from else None,
            date_to=date_to.date() if date_to else None,
            place_name=place,
            lat=lat,
            lon=lon,
            accuracy_m=accuracy_m,
            alleged_crimes=crime,
            act_types=act,
        )
        view = incident_view(incident)
    print_json(view) if as_json else console.print(f"incident {view['id']} recorded")


@incident_app.command("list")
@translate_errors
def incident_list(case: str, as_json: JsonOpt = False) -> None:
    """List a case's incidents."""
    with instance() as hague, hague.reader() as session:
        views = [incident_view(i) for i in register.list_incidents(session, case)]
    if as_json:
        print_json(views)
        return
    table = Table("id", "title", "date", "place", "crimes")
    for v in views:
        table.add_row(
            str(v["id"]), v["title"], str(v["date_from"] or ""), v["place_name"], " ".join(v["alleged_crimes"])
        )
    console.print(table)


@item_app.command("add")
@translate_errors
def item_add(
    case: str,
    title: str,
    kind: Annotated[str, typer.Option(help="physical, document, digital or testimony.")] = "physical",
    description: str = "",
    collected_at: Annotated[datetime | None, typer.Option(help="ISO time with offset.")] = None,
    collected_tz: Annotated[str, typer.Option(help="IANA zone of the collection place.")] = "UTC",
    collected_by: str = "",
    place: str = "",
    lat: float | None = None,
    lon: float | None = None,
    accuracy_m: float | None = None,
    method: str = "",
    tool: str = "",
    tool_version: str = "",
    source: str = "",
    language: str = "",
    classification: str = "restricted",
    incident: Annotated[list[int] | None, typer.Option(help="Incident id (repeatable).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a physical, document or other item without files; prints its ERN."""
    if collected_at is not None and collected_at.tzinfo is None:
        from zoneinfo import ZoneInfo

        collected_at = collected_at.replace(tzinfo=ZoneInfo(collected_tz))
    data = register.ItemInput(
        kind=kind,
        title=title,
        description=description,
        collected_at=collected_at,
        collected_tz=collected_tz,
        collected_by=collected_by,
        place_name=place,
        lat=lat,
        lon=lon,
        accuracy_m=accuracy_m,
        method=method,
        tool=tool,
        tool_version=tool_version,
        source=source,
        language=language,
        classification=classification,
        incident_ids=tuple(incident or ()),
    )
    with instance() as hague, hague.unit() as unit:
        item = register.add_item(unit, case, data)
        view = item_view(item)
    print_json(view) if as_json else console.print(view["ern"])


@item_app.command("show")
@translate_errors
def item_show(ern: str, as_json: JsonOpt = False) -> None:
    """Show an item, its files and derivatives."""
    with instance() as hague, hague.reader() as session:
        view = item_view(register.get_item(session, ern), with_files=True)
    if as_json:
        print_json(view)
        return
    for key in ("ern", "kind", "title", "classification", "collected_at", "collected_by", "place_name", "source"):
        console.print(f"[bold]{key}[/]: {view[key] or ''}", highlight=False)
    for f in view["files"]:
        role = f["derivation"] or "original"
        console.print(
            f"  {role:<14} {f['sha256']}  {f['size']:>12}  {f['mime_type']}  {f['original_name']}", highlight=False
        )


@item_app.command("list")
@translate_errors
def item_list(case: str, kind: str | None = None, limit: int = 100, offset: int = 0, as_json: JsonOpt = False) -> None:
    """List a case's items."""
    with instance() as hague, hague.reader() as session:
        views = [item_view(i) for i in register.list_items(session, case, kind, limit, offset)]
    if as_json:
        print_json(views)
        return
    table = Table("ERN", "kind", "title", "classification")
    for v in views:
        table.add_row(v["ern"], v["kind"], v["title"], v["classification"])
    console.print(table)


def ingest_command(
    case: str,
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (recursive).")],
    manifest: Annotated[Path | None, typer.Option(help="Where to write the CSV manifest.")] = None,
    collected_by: str = "",
    classification: str = "restricted",
    as_json: JsonOpt = False,
) -> None:
    """Register files and folders as digital items; idempotent; writes a CSV manifest."""
    total_bytes = 0
    total_files = 0
    for candidate in intake.walk(paths):
        total_files += 1
        total_bytes += candidate.size
    columns = (
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with instance() as hague, Progress(*columns, console=console, disable=as_json, transient=False) as bar:
        task = bar.add_task("ingest", total=total_bytes or None)
        files_task = bar.add_task("files", total=total_files, visible=False)

        def tick(files: int, size: int) -> None:
            bar.advance(task, size)
            bar.advance(files_task, files)

        rows = intake.ingest(
            hague, case, paths, collected_by=collected_by, classification=classification, progress=tick
        )
    manifest = manifest or Path(f"ingest-manifest-{date.today().isoformat()}.csv")
    intake.write_manifest(rows, manifest)
    counts = {s: sum(1 for r in rows if r.status == s) for s in ("registered", "existing", "failed")}
    if as_json:
        print_json({"manifest": str(manifest), **counts, "rows": [r.__dict__ for r in rows]})
    else:
        for row in rows:
            if row.status == "failed":
                console.print(f"[red]failed[/] {row.path}: {row.error}", highlight=False, soft_wrap=True)
        console.print(
            f"{counts['registered']} registered, {counts['existing']} already held, "
            f"{counts['failed']} failed; manifest: {manifest}",
            soft_wrap=True,
        )
    if counts["failed"]:
        raise typer.Exit(1)


ingest_cmd = translate_errors(ingest_command)
