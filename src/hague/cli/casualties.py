"""CLI for casualty recording: sources, import/withdraw, linkage and review, counts, estimates, reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from hague.casualties import counts as counts_mod
from hague.casualties import estimate as estimate_mod
from hague.casualties import imports, links, reports
from hague.casualties.linkage import LinkageSettings
from hague.cli.common import console, instance, print_json, require_actor, translate_errors
from hague.errors import ValidationError

app = typer.Typer(help="Civilian casualties: records, linkage, documented counts, estimates.", no_args_is_help=True)
source_app = typer.Typer(help="Source lists and their column mappings.", no_args_is_help=True)
app.add_typer(source_app, name="source")


def _load_mapping(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationError(f"cannot read the mapping {path.name} as JSON", field="mapping") from exc
    if not isinstance(value, dict):
        raise ValidationError("a mapping is a JSON object", field="mapping")
    return value


@source_app.command("add")
@translate_errors
def source_add(
    case: str,
    code: str,
    name: str,
    source_type: Annotated[str, typer.Option("--type", help="un_monitor, local_authority, hospital, ngo, media...")],
    mapping: Annotated[Path | None, typer.Option(help="JSON column mapping to save with the source.")] = None,
) -> None:
    """Register a source list on a case (optionally with its column mapping)."""
    actor = require_actor()
    with instance() as hague, hague.unit() as unit:
        source = imports.create_source(unit, case, code, name, source_type, actor)
        loaded = _load_mapping(mapping)
        if loaded is not None:
            imports.save_mapping(unit, case, source.code, loaded, actor)
    console.print(f"source {source.code} added to {case}")


@source_app.command("mapping")
@translate_errors
def source_mapping(case: str, code: str, mapping: Path) -> None:
    """Save a new version of a source's column mapping."""
    actor = require_actor()
    loaded = _load_mapping(mapping) or {}
    with instance() as hague, hague.unit() as unit:
        version = imports.save_mapping(unit, case, code, loaded, actor)
    console.print(f"mapping version {version.id} saved for {code.upper()}")


@app.command("import")
@translate_errors
def import_cmd(
    case: str,
    source: str,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    mapping: Annotated[Path | None, typer.Option(help="JSON column mapping (saved for the source).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Import a CSV or XLSX list into a source as one logged, reversible batch."""
    actor = require_actor()
    with instance() as hague, hague.unit() as unit:
        batch = imports.import_file(unit, case, source, file, actor, _load_mapping(mapping))
        summary = {"import": batch.id, "source": source.upper(), "rows": batch.rows, "sha256": batch.sha256}
    print_json(summary) if as_json else console.print(f"import {batch.id}: {batch.rows} records into {source.upper()}")


@app.command("withdraw")
@translate_errors
def withdraw_cmd(case: str, import_id: int, reason: Annotated[str, typer.Option(help="Why (recorded).")]) -> None:
    """Withdraw an import (case lead): its records are marked withdrawn, never deleted."""
    actor = require_actor()
    with instance() as hague, hague.unit() as unit:
        batch = imports.withdraw_import(unit, case, import_id, actor, reason)
    console.print(f"import {batch.id} withdrawn ({batch.rows} records)")


@app.command("link")
@translate_errors
def link_cmd(
    case: str,
    match_threshold: float = 0.95,
    review_threshold: float = 0.5,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Deduplicate the case's records within and across lists; uncertain pairs go to review."""
    actor = require_actor()
    settings = LinkageSettings(match_threshold=match_threshold, review_threshold=review_threshold)
    with instance() as hague, hague.unit() as unit:
        run = links.run_linkage(unit, case, actor, settings)
        summary = {"run": run.id, "records": run.records, "victims": run.victims, "pairs": run.settings["pairs"]}
    with instance() as hague, hague.reader() as session:
        summary["review_queue"] = len(links.review_queue(session, case))
    print_json(summary) if as_json else console.print(
        f"run {summary['run']}: {summary['records']} records -> {summary['victims']} victims; "
        f"{summary['review_queue']} pairs to review"
    )


@app.command("review")
@translate_errors
def review_cmd(
    case: str,
    pair: Annotated[int | None, typer.Option(help="Pair to decide.")] = None,
    decision: Annotated[str | None, typer.Option(help="accept, reject or unsure.")] = None,
    note: str = "",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List the clerical review queue, or decide one pair (`--pair N --decision accept`)."""
    if (pair is None) != (decision is None):
        raise ValidationError("give both --pair and --decision, or neither to list the queue", field="pair")
    if pair is not None and decision is not None:
        actor = require_actor()
        with instance() as hague, hague.unit() as unit:
            made = links.decide(unit, case, pair, decision, actor, note)
        console.print(f"pair {pair}: {made.decision} by {made.decided_by}")
        return
    with instance() as hague, hague.reader() as session:
        queue = links.review_queue(session, case)
    if as_json:
        print_json(queue)
        return
    for item in queue:
        a, b = item["a"], item["b"]
        console.print(
            f"pair {item['pair']} p={item['probability']:.3f}\n  A {a['record']}: {a['name']} | {a['sex']} "
            f"{a['age']} | {a['date']} | {a['place']}\n  B {b['record']}: {b['name']} | {b['sex']} {b['age']} | "
            f"{b['date']} | {b['place']}",
            highlight=False,
            markup=False,
        )
    console.print(f"{len(queue)} pairs to review")


@app.command("count")
@translate_errors
def count_cmd(
    case: str,
    min_verification: str = "corroborated",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Documented minimum counts as OHCHR reports them (killed and injured apart)."""
    with instance() as hague, hague.reader() as session:
        result = counts_mod.documented_counts(session, case, min_verification)
    if as_json:
        print_json(result)
        return
    console.print(f"[bold]{result['label'].upper()}[/] (verification >= {min_verification})")
    for status in ("killed", "injured", "unknown"):
        row = result["by_category"][status]
        detail = ", ".join(f"{c} {row[c]}" for c in counts_mod.CATEGORIES)
        console.print(f"  {status}: {row['total']} ({detail})")
    console.print(f"  pending corroboration (not counted): {sum(result['pending'].values())}")


@app.command("estimate")
@translate_errors
def estimate_cmd(
    case: Annotated[str | None, typer.Argument(help="Case to estimate over (or use --table).")] = None,
    table: Annotated[Path | None, typer.Option(help="Aggregated capture-history CSV (0/1 columns + count).")] = None,
    method: str = "loglinear",
    criterion: str = "aic",
    max_order: int | None = None,
    stratify: Annotated[str | None, typer.Option(help="region or year (case only).")] = None,
    iterations: int = 10000,
    seed: int = 1,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Estimate the total with MSE (log-linear and/or LCMCR): estimate, interval, model; never a count."""
    options: dict[str, Any] = {"criterion": criterion, "max_order": max_order, "iterations": iterations, "seed": seed}
    if (case is None) == (table is None):
        raise ValidationError("give a case or --table, not both", field="case")
    if table is not None:
        result = estimate_mod.estimate_table(estimate_mod.read_capture_csv(table), method, **options)
    else:
        with instance() as hague, hague.reader() as session:
            result = estimate_mod.estimate_case(session, str(case), method, stratify, **options)
    if as_json:
        print_json(result)
        return
    console.print(f"[bold]ESTIMATE[/] (not a documented count) over lists {', '.join(result['lists'])}")
    console.print(f"  documented in the lists: {result['documented_in_lists']}")
    for r in result["results"]:
        lo, hi = r["interval"] or (float("nan"), float("nan"))
        console.print(f"  {r['estimate']:.0f} (95% {lo:.0f}-{hi:.0f}); {r['method']}; model {r['model']}")
    for warning in result["warnings"]:
        console.print(f"  [yellow]warning[/]: {warning}")


@app.command("report")
@translate_errors
def report_cmd(
    case: str,
    out: Path,
    min_verification: str = "corroborated",
    with_estimate: Annotated[bool, typer.Option("--estimate/--no-estimate")] = True,
) -> None:
    """Write CSV tables, PNG/SVG charts and a PDF summary (documented minimums; estimates apart)."""
    with instance() as hague, hague.reader() as session:
        counts = counts_mod.documented_counts(session, case, min_verification)
        estimate = None
        if with_estimate:
            try:
                estimate = estimate_mod.estimate_case(session, case)
            except ValidationError as exc:
                console.print(f"no estimate: {exc.message}")
    written = reports.write_report(counts, estimate, out)
    console.print(f"report written: {written['pdf']}")
