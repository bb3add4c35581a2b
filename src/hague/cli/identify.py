"""CLI for victim identification: import DNA data, screen, joint search, AM/PM records and the workflow."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from hague.cli.common import console, instance, print_json, require_actor, translate_errors
from hague.errors import ValidationError
from hague.identify import familias, frequencies, joint, pedigree, profiles, records, screening, store, workflow
from hague.identify.descriptors import Descriptors
from hague.identify.mutation import MutationModel, parse_mutation_csv

identify_app = typer.Typer(
    help="Victim identification: AM/PM records, DNA kinship matching, workflow.", no_args_is_help=True
)

CaseOpt = Annotated[str, typer.Option("--case", help="Case code, e.g. UKR-OTP-0001.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
DbOpt = Annotated[str | None, typer.Option("--db", help="Frequency database name (default: the only one).")]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValidationError(f"cannot read {path.name}: {exc.strerror}") from None


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(_read(path))
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{path.name} is not JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise ValidationError(f"{path.name} must hold a JSON object")
    return data


@identify_app.command("import")
@translate_errors
def import_cmd(
    case: CaseOpt,
    frequencies_csv: Annotated[Path | None, typer.Option("--frequencies", help="CSV marker,allele,frequency.")] = None,
    db_name: Annotated[str, typer.Option("--db-name", help="Name of the frequency database.")] = "default",
    min_frequency: Annotated[float, typer.Option(help="Floor for rare and unseen alleles.")] = 0.001,
    mutation: Annotated[str | None, typer.Option(help="equal, proportional or stepwise (all markers).")] = None,
    mutation_rate: Annotated[float, typer.Option(help="Mutation rate per transmission.")] = 0.002,
    mutation_csv: Annotated[
        Path | None, typer.Option("--mutation-rates", help="CSV marker,model,rate: per-marker models.")
    ] = None,
    remains_csv: Annotated[Path | None, typer.Option("--remains", help="CSV sample_id,sex[,age_min,age_max].")] = None,
    pedigrees_csv: Annotated[Path | None, typer.Option("--pedigrees", help="Pedigree CSV.")] = None,
    profiles_csv: Annotated[
        Path | None, typer.Option("--profiles", help="CSV sample_id,marker,allele1,allele2.")
    ] = None,
    familias_file: Annotated[Path | None, typer.Option("--familias", help="A Familias .fam file.")] = None,
    family: Annotated[str | None, typer.Option(help="Family id for the Familias pedigree.")] = None,
    missing: Annotated[list[str] | None, typer.Option(help="Missing person(s) in the Familias pedigree.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import DNA data into a case in one transaction (all or nothing)."""
    actor = require_actor()
    summary: dict[str, Any] = {}
    with instance() as hague, hague.unit() as unit:
        if frequencies_csv:
            table = frequencies.parse_frequencies_csv(_read(frequencies_csv), db_name, min_frequency)
            models = {m: MutationModel(mutation, mutation_rate) for m in table.markers} if mutation else {}
            if mutation_csv:
                models |= parse_mutation_csv(_read(mutation_csv))
            store.store_frequencies(unit, case, table, actor, models)
            summary["frequency_database"] = table.name
        if remains_csv:
            summary["remains"] = store.store_remains(unit, case, profiles.parse_remains_csv(_read(remains_csv)), actor)
        if pedigrees_csv:
            peds = pedigree.parse_pedigrees_csv(_read(pedigrees_csv))
            summary["pedigrees"] = store.store_pedigrees(unit, case, peds, actor)
        if familias_file:
            if not family or not missing:
                raise ValidationError("a Familias import needs --family and at least one --missing")
            fam = familias.parse_familias(_read(familias_file), name=db_name)
            ped, refs = familias.familias_family(fam, family, list(missing))
            store.store_pedigrees(unit, case, {ped.family_id: ped}, actor)
            store.store_profiles(unit, case, refs, actor, source="familias")
            if not frequencies_csv:
                store.store_frequencies(unit, case, fam.table.with_alleles({}), actor, fam.mutation)
            summary["familias"] = {"family": ped.family_id, "references": len(refs)}
        if profiles_csv:
            summary["profiles"] = store.store_profiles(
                unit, case, profiles.parse_profiles_csv(_read(profiles_csv)), actor
            )
    print_json(summary) if as_json else console.print(", ".join(f"{k}: {v}" for k, v in summary.items()) or "nothing")


def _lr_text(log10_lr: float) -> str:
    if log10_lr == -math.inf:
        return "0"
    return f"{10**log10_lr:.3g}" if log10_lr < 6 else f"10^{log10_lr:.2f}"


@identify_app.command("screen")
@translate_errors
def screen_cmd(
    case: CaseOpt,
    db: DbOpt = None,
    threshold: Annotated[float, typer.Option(help="Report LRs at or above this.")] = screening.DEFAULT_THRESHOLD,
    theta: Annotated[float, typer.Option(help="Fst (Balding–Nichols) correction.")] = 0.0,
    workers: Annotated[int, typer.Option(help="Processes for the pedigree computations.")] = 1,
    record: Annotated[bool, typer.Option("--record", help="Record the hits as candidate matches.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Screen every remains sample against every family; ranked candidates with LRs and exclusion counts."""
    with instance() as hague:
        with hague.reader() as session:
            table, mutation = store.load_table(session, case, db)
            dna = store.load_case_dna(session, case)
        if not dna.remains or not dna.families:
            raise ValidationError("the case needs typed remains and reference pedigrees to screen")
        result = screening.screen(
            dna.remains, dna.families, table, threshold=threshold, mutation=mutation, theta=theta,
            sexes=dna.sexes, workers=workers,
        )  # fmt: skip
        if record:
            with hague.unit() as unit:
                workflow.record_candidates(unit, case, result, table.name, require_actor())
    rows: list[dict[str, Any]] = [
        {
            "remains": c.remains,
            "family": c.family,
            "missing_person": c.missing_person,
            "log10_lr": round(c.log10_lr, 6),
            "lr": _lr_text(c.log10_lr),
            "exclusions": c.exclusions,
            "markers": c.markers,
        }
        for c in result.candidates
    ]
    if as_json:
        print_json({"threshold": threshold, "remains": result.remains, "families": result.families,
                    "markers": result.markers, "candidates": rows, "warnings": result.warnings})  # fmt: skip
        return
    out = Table("remains", "family", "missing", "LR", "log10 LR", "exclusions", "markers")
    for r in rows:
        out.add_row(r["remains"], r["family"], r["missing_person"], r["lr"], f"{r['log10_lr']:.2f}",
                    str(r["exclusions"]), str(r["markers"]))  # fmt: skip
    console.print(out)
    console.print(f"{len(rows)} candidate(s) at LR >= {threshold:g}")


@identify_app.command("joint")
@translate_errors
def joint_cmd(
    family: str,
    case: CaseOpt,
    db: DbOpt = None,
    remains: Annotated[
        list[str] | None, typer.Option(help="Remains to consider (default: LR >= 1 in a screen).")
    ] = None,
    theta: Annotated[float, typer.Option(help="Fst (Balding–Nichols) correction.")] = 0.0,
    top: Annotated[int, typer.Option(help="Assignments to show.")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Joint identification of a family's missing persons: assignments with log-likelihood, LR and posterior."""
    with instance() as hague, hague.reader() as session:
        table, mutation = store.load_table(session, case, db)
        dna = store.load_case_dna(session, case)
    fam = next((f for f in dna.families if f.pedigree.family_id == family), None)
    if fam is None:
        raise ValidationError(f"no family {family!r} in {case}")
    if remains:
        chosen = [r for r in dna.remains if r.sample_id in set(remains)]
        if len(chosen) != len(set(remains)):
            raise ValidationError("some remains have no profile in the case", field="remains")
    else:
        hits = screening.screen(dna.remains, [fam], table, threshold=1.0, mutation=mutation, sexes=dna.sexes)
        ids = {c.remains for c in hits.candidates}
        chosen = [r for r in dna.remains if r.sample_id in ids]
    result = joint.joint_search(fam, chosen, table, sexes=dna.sexes, mutation=mutation, theta=theta)
    rows: list[dict[str, Any]] = [
        {
            "assignment": a.pairs,
            "log10_likelihood": round(a.log10_likelihood, 6),
            "log10_lr": round(a.log10_lr, 6),
            "posterior": a.posterior,
        }
        for a in result.assignments[:top]
    ]
    if as_json:
        print_json({"family": family, "missing_persons": result.missing_persons, "remains": result.remains,
                    "assignments": rows, "searched": len(result.assignments)})  # fmt: skip
        return
    out = Table(*result.missing_persons, "log10 L", "log10 LR", "posterior")
    for r in rows:
        out.add_row(*[r["assignment"][mp] or "*" for mp in result.missing_persons],
                    f"{r['log10_likelihood']:.2f}", f"{r['log10_lr']:.2f}", f"{r['posterior']:.4g}")  # fmt: skip
    console.print(out)


def _descriptors(data: dict[str, Any]) -> Descriptors:
    return Descriptors.from_dict(data.pop("descriptors", None))


@identify_app.command("am")
@translate_errors
def am_cmd(case: CaseOpt, path: Path, as_json: JsonOpt = False) -> None:
    """Record a missing-person (AM) report from a JSON file (names go in the vault, not here)."""
    data = _json(path)
    desc = _descriptors(data)
    if data.get("last_seen_date"):
        data["last_seen_date"] = date.fromisoformat(data["last_seen_date"])
    try:
        report_in = records.AMInput(**data, descriptors=desc)
    except TypeError as exc:
        raise ValidationError(f"unknown field in the AM report: {exc}") from None
    with instance() as hague, hague.unit() as unit:
        report = records.record_am_report(unit, case, report_in, require_actor())
        out = {"code": report.code, "missing_person": report.missing_person}
    print_json(out) if as_json else console.print(out["code"])


@identify_app.command("pm")
@translate_errors
def pm_cmd(case: CaseOpt, path: Path, as_json: JsonOpt = False) -> None:
    """Record remains (PM record with recovery context) from a JSON file."""
    data = _json(path)
    desc = _descriptors(data)
    if data.get("recovered_at"):
        data["recovered_at"] = datetime.fromisoformat(data["recovered_at"])
    try:
        pm_in = records.PMInput(**data, descriptors=desc)
    except TypeError as exc:
        raise ValidationError(f"unknown field in the PM record: {exc}") from None
    with instance() as hague, hague.unit() as unit:
        record = records.record_pm(unit, case, pm_in, require_actor())
        out = {"code": record.code}
    print_json(out) if as_json else console.print(out["code"])


@identify_app.command("sample")
@translate_errors
def sample_cmd(
    case: CaseOpt,
    barcode: str,
    kind: Annotated[str, typer.Option(help="reference, remains or effect.")],
    pm: Annotated[str | None, typer.Option(help="PM record the sample is taken from.")] = None,
    sex: Annotated[str, typer.Option(help="male, female or unknown.")] = "unknown",
) -> None:
    """Register a bar-coded sample (from remains: a child item of the remains)."""
    with instance() as hague, hague.unit() as unit:
        sample = records.add_sample(unit, case, barcode, kind, require_actor(), pm_code=pm, sex=sex)
        console.print(f"sample {sample.barcode} registered")


@identify_app.command("review")
@translate_errors
def review_cmd(case: CaseOpt, match: int, notes: str = "", as_json: JsonOpt = False) -> None:
    """Review a candidate: AM and PM secondary identifiers side by side."""
    with instance() as hague, hague.unit() as unit:
        event = workflow.review_match(unit, case, match, require_actor(), notes)
        details = dict(event.details)
    if as_json:
        print_json(details)
        return
    out = Table("field", "AM", "PM", "verdict")
    for row in details["comparison"]:
        out.add_row(row["field"], str(row["am"]), str(row["pm"]), row["verdict"])
    console.print(out)


@identify_app.command("confirm")
@translate_errors
def confirm_cmd(
    case: CaseOpt,
    match: int,
    board_decision: Annotated[str, typer.Option(help="Reference of the identification board decision.")],
    dna: Annotated[str | None, typer.Option(help="DNA report reference (primary identifier).")] = None,
    fingerprints: Annotated[str | None, typer.Option(help="Fingerprint comparison reference.")] = None,
    dental: Annotated[str | None, typer.Option(help="Dental comparison reference.")] = None,
    justification: Annotated[str, typer.Option(help="Board's justification without a primary identifier.")] = "",
) -> None:
    """Confirm an identification by board decision (needs a primary identifier or a justification)."""
    primary = {k: v for k, v in (("dna", dna), ("fingerprints", fingerprints), ("dental", dental)) if v}
    with instance() as hague, hague.unit() as unit:
        workflow.confirm_match(
            unit, case, match, require_actor(), board_decision=board_decision, primary=primary,
            justification=justification,
        )  # fmt: skip
    console.print(f"match {match} confirmed")


@identify_app.command("notify")
@translate_errors
def notify_cmd(
    case: CaseOpt,
    match: int,
    method: Annotated[str, typer.Option(help="How the family was told (visit, call...).")],
    contact: Annotated[str, typer.Option(help="Witness pseudonym of the relative told.")] = "",
) -> None:
    """Record that the family has been notified of a confirmed identification."""
    with instance() as hague, hague.unit() as unit:
        workflow.notify_family(unit, case, match, require_actor(), method=method, contact=contact)
    console.print(f"match {match}: family notified")


@identify_app.command("matches")
@translate_errors
def matches_cmd(case: CaseOpt, as_json: JsonOpt = False) -> None:
    """Matches of the case with their workflow state."""
    with instance() as hague, hague.reader() as session:
        rows: list[dict[str, Any]] = [
            {
                "id": m.id,
                "remains": m.remains,
                "family": m.family_id,
                "missing_person": m.missing_person,
                "log10_lr": float(m.log10_lr),
                "exclusions": m.exclusions,
                "state": m.state,
            }
            for m in workflow.list_matches(session, case)
        ]
    if as_json:
        print_json(rows)
        return
    out = Table("id", "remains", "family", "missing", "log10 LR", "excl.", "state")
    for r in rows:
        out.add_row(str(r["id"]), r["remains"], r["family"], r["missing_person"], f"{r['log10_lr']:.2f}",
                    str(r["exclusions"]), r["state"])  # fmt: skip
    console.print(out)
