"""CLI for digital evidence: `hague media extract | reprocess | show | similar | clusters | capture | ingest`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from hague.cli.common import console, instance, print_json, translate_errors
from hague.media import duplicates, pipeline, views
from hague.media.extract import FileJob, extract_batch

media_app = typer.Typer(
    help="Digital evidence: metadata, provenance, near-duplicates, web captures.", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ErnOpt = Annotated[str | None, typer.Option("--ern", help="Only this item.")]
TrustOpt = Annotated[
    Path | None,
    typer.Option("--trust-anchors", help="PEM file of C2PA trust anchors (else signers show as untrusted)."),
]
RadiusOpt = Annotated[int, typer.Option("--radius", min=0, max=24, help="Largest Hamming distance (bits of 64).")]


def _print_report(report: pipeline.ExtractReport, as_json: bool) -> None:
    if as_json:
        print_json([f.to_dict() for f in report.files])
        return
    table = Table("ERN", "run", "status", "failures", "near-duplicates")
    for f in report.files:
        table.add_row(
            f.ern,
            str(f.run),
            f.status,
            escape("; ".join(f"{e['parser']}: {e.get('severity', 'failure')}: {e['reason']}" for e in f.errors)[:160]),
            ", ".join(f"{m['ern']} ({m['distance']})" for m in f.near_duplicates),
        )
    console.print(table)
    console.print(
        f"{len(report.files)} files: {report.count('ok')} ok, {report.count('partial')} partial, "
        f"{report.count('failed')} failed"
    )


@media_app.command("extract")
@translate_errors
def extract_cmd(case: str, ern: ErnOpt = None, trust_anchors: TrustOpt = None, as_json: JsonOpt = False) -> None:
    """Extract metadata and perceptual hashes of files that have none yet (after intake, or to catch up)."""
    trust = trust_anchors.read_text() if trust_anchors else None
    with instance() as hague:
        report = pipeline.extract_case(hague, case, ern=ern, trust_anchors=trust)
    _print_report(report, as_json)


@media_app.command("reprocess")
@translate_errors
def reprocess_cmd(case: str, ern: ErnOpt = None, trust_anchors: TrustOpt = None, as_json: JsonOpt = False) -> None:
    """Extract again with the installed tools; earlier runs stay (tool, version, when)."""
    trust = trust_anchors.read_text() if trust_anchors else None
    with instance() as hague:
        report = pipeline.reprocess(hague, case, ern=ern, trust_anchors=trust)
    _print_report(report, as_json)


@media_app.command("ingest")
@translate_errors
def ingest_cmd(
    case: str,
    paths: list[Path],
    collected_by: Annotated[str, typer.Option("--collected-by", help="Who collected the files.")] = "",
    trust_anchors: TrustOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Intake files and folders, extracting metadata and checking near-duplicates after each commit."""
    trust = trust_anchors.read_text() if trust_anchors else None
    with instance() as hague:
        rows, report = pipeline.ingest_with_media(hague, case, paths, collected_by=collected_by, trust_anchors=trust)
    failed = [r for r in rows if r.status == "failed"]
    if not as_json:
        console.print(f"{len(rows) - len(failed)} files taken in, {len(failed)} refused")
    _print_report(report, as_json)
    if failed:
        raise typer.Exit(1)


@media_app.command("show")
@translate_errors
def show_cmd(ern: str, as_json: JsonOpt = False) -> None:
    """The collector's record and every extraction run of an item (suggestions, never applied)."""
    with instance() as hague, hague.reader() as session:
        view = views.item_media(session, ern)
    if as_json:
        print_json(view)
        return
    console.print(
        f"[bold]{view['ern']}[/] collector's record: {escape(str(view['collector_record']))}", highlight=False
    )
    for run in view["runs"]:
        console.print(f"run {run['run']} {run['status']} {run['extracted_at']:%Y-%m-%d %H:%M}Z tools {run['tools']}")
        for key, value in run["suggestions"].items():
            console.print(f"  suggested {key}: {escape(str(value))}", highlight=False)
        for error in run["errors"]:
            label = "[yellow]warning[/]" if error.get("severity") == "warning" else "[red]failure[/]"
            console.print(f"  {label} {error['parser']}: {escape(str(error['reason']))}", highlight=False)


@media_app.command("similar")
@translate_errors
def similar_cmd(
    case: str,
    ern: ErnOpt = None,
    file: Annotated[Path | None, typer.Option("--file", help="A file not yet collected.")] = None,
    radius: RadiusOpt = duplicates.RADIUS,
    as_json: JsonOpt = False,
) -> None:
    """Has this content, or something close, been collected in the case? Items and distances."""
    with instance() as hague:
        if file is not None:
            from hague.evidence.sniff import HEAD, sniff_mime

            with file.open("rb") as fh:
                mime = sniff_mime(fh.read(HEAD))
            result = extract_batch([FileJob("probe", str(file.resolve()), mime, file.name)])[0]
            matches = duplicates.similar_to_hashes(hague, case, result.phash, radius)
        elif ern:
            matches = duplicates.similar_items(hague, ern, radius)
        else:
            raise typer.BadParameter("give --ern or --file")
    if as_json:
        print_json([m.to_dict() for m in matches])
        return
    for match in matches:
        console.print(f"{match.ern}  distance {match.distance}  frame {match.frame}")
    if not matches:
        console.print("nothing close in this case")


@media_app.command("clusters")
@translate_errors
def clusters_cmd(case: str, radius: RadiusOpt = duplicates.RADIUS, as_json: JsonOpt = False) -> None:
    """Groups of near-duplicate items (and exact SHA-256 duplicates) in the case."""
    with instance() as hague:
        found = duplicates.clusters(hague, case, radius)
    if as_json:
        print_json([c.to_dict() for c in found])
        return
    for cluster in found:
        members = ", ".join(f"{m.ern} ({m.distance})" for m in cluster.members)
        console.print(escape(f"{cluster.kind} {cluster.key}: {members}"), highlight=False)


@media_app.command("capture")
@translate_errors
def capture_cmd(ern: str, as_json: JsonOpt = False) -> None:
    """A web capture's target URL, capture time, signature and response records with their hashes."""
    with instance() as hague, hague.reader() as session:
        view = views.web_capture(session, ern)
    if as_json:
        print_json(view)
        return
    console.print(
        escape(f"{view['ern']}: {view.get('target_url')} captured {view.get('captured_at')}"), highlight=False
    )
    console.print(escape(f"signature: {view.get('signature', {'present': False})}"), highlight=False)
    for record in view.get("records", [])[:50]:
        if record.get("sha256"):
            console.print(
                escape(f"  {record.get('http_status', '-')} {record.get('target_uri')} sha256 {record['sha256']}"),
                highlight=False,
            )
