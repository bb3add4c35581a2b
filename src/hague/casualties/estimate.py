"""Estimates of the total, documented and undocumented: MSE over the deduplicated overlap of lists.

Always reported as "estimate, interval, model", labelled as estimates and kept apart from documented
counts. Sources: the case's linked victims (each victim's set of source lists is its capture history),
or an aggregated capture-history CSV (one 0/1 column per list plus `count`), as HRDAG and others publish.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.casualties import lcmcr, loglinear
from hague.casualties import models as m
from hague.casualties.counts import Victim, load_victims
from hague.errors import ValidationError
from hague.evidence.register import get_case

LABEL = "estimate"
METHODS = ("loglinear", "lcmcr", "both")


def read_capture_csv(path: Path) -> loglinear.CaptureTable:
    """An aggregated capture-history table: one 0/1 column per list and a `count` column."""
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in (reader.fieldnames or [])]
            if "count" not in header:
                raise ValidationError("the capture table needs a `count` column", field="count")
            lists = [h for h in header if h != "count"]
            table: Counter[tuple[int, ...]] = Counter()
            for line, row in enumerate(reader, start=2):
                try:
                    history = tuple(int(row[name].strip()) for name in lists)
                    count = int(row["count"].strip())
                except (ValueError, AttributeError):
                    raise ValidationError(
                        f"line {line}: histories are 0/1 and counts whole numbers", field="row"
                    ) from None
                table[history] += count
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read {path.name} as a UTF-8 CSV file", field="file") from exc
    return loglinear.CaptureTable.from_counts(lists, dict(table))


def capture_table(victims: list[Victim], lists: list[tuple[int, str]]) -> loglinear.CaptureTable:
    """Capture histories of victims over the given (source id, source code) lists."""
    table: Counter[tuple[int, ...]] = Counter()
    for v in victims:
        history = tuple(int(source_id in v.sources) for source_id, _ in lists)
        if any(history):
            table[history] += 1
    return loglinear.CaptureTable.from_counts([code for _, code in lists], dict(table))


def _sources(session: Session, case_id: int) -> list[tuple[int, str]]:
    return [
        (sid, code)
        for sid, code in session.execute(
            select(m.CasualtySource.id, m.CasualtySource.code)
            .where(m.CasualtySource.case_id == case_id)
            .order_by(m.CasualtySource.code)
        )
    ]


def estimate_table(
    table: loglinear.CaptureTable,
    method: str = "loglinear",
    criterion: str = "aic",
    max_order: int | None = None,
    iterations: int = 10000,
    seed: int | None = 1,
) -> dict[str, Any]:
    """Estimate, interval and model for one capture table, with the overlap table and warnings."""
    if method not in METHODS:
        raise ValidationError(f"method must be one of {', '.join(METHODS)}", field="method")
    out: dict[str, Any] = {
        "label": LABEL,
        "note": "Estimated total including undocumented victims; not a documented count.",
        "lists": list(table.lists),
        "list_sizes": table.list_sizes(),
        "documented_in_lists": table.observed,
        "overlap": table.overlap(),
        "results": [],
        "warnings": [],
    }
    if method in ("loglinear", "both"):
        result = loglinear.search(table, criterion=criterion, max_order=max_order)
        sel = result.selected
        out["results"].append(
            {
                "method": "log-linear (Poisson GLM), selected by " + criterion.upper(),
                "estimate": round(sel.estimate, 3),
                "interval": [round(v, 3) for v in sel.interval] if sel.interval else None,
                "interval_kind": "95% profile likelihood",
                "model": sel.name,
            }
        )
        out["results"].append(
            {
                "method": f"log-linear, model-averaged ({criterion.upper()} weights)",
                "estimate": round(result.averaged_estimate, 3),
                "interval": [round(v, 3) for v in result.averaged_interval],
                "interval_kind": "95% Buckland unconditional",
                "model": "average over all models considered",
            }
        )
        out["models_considered"] = [f.to_dict() for f in result.models]
        out["warnings"] += result.warnings
    if method in ("lcmcr", "both"):
        burn = max(iterations // 5, 1)
        lc = lcmcr.sample(table, iterations=iterations, burn_in=burn, seed=seed)
        summary = lc.to_dict()
        out["results"].append(
            {
                "method": "LCMCR (Bayesian latent classes, Gibbs sampler)",
                "estimate": round(lc.estimate, 3),
                "interval": [round(v, 3) for v in lc.interval],
                "interval_kind": "95% posterior credible (2.5-97.5 percentiles); estimate is the posterior median",
                "model": summary["model"],
                "settings": lc.settings,
                "rhat": summary["rhat"],
            }
        )
        out["warnings"] += [w for w in lc.warnings if w not in out["warnings"]]
    return out


def estimate_case(
    session: Session,
    case_code: str,
    method: str = "loglinear",
    stratify: str | None = None,
    status: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Estimate over the case's deduplicated lists, optionally per stratum (`region` or `year`)."""
    case = get_case(session, case_code)
    lists = _sources(session, case.id)
    if len(lists) < 2:
        raise ValidationError("multiple systems estimation needs at least two source lists", field="sources")
    victims = load_victims(session, case_code)
    if any(v.code.startswith("R-") for v in victims):
        raise ValidationError("some records are not linked yet: run `hague casualties link` first", field="records")
    if status:
        victims = [v for v in victims if v.status == status]
    if stratify not in (None, "region", "year"):
        raise ValidationError("stratify by region or year", field="stratify")
    overall = estimate_table(capture_table(victims, lists), method, **options)
    overall["case"] = case_code
    if stratify:
        strata: dict[str, list[Victim]] = {}
        for v in victims:
            strata.setdefault(v.region if stratify == "region" else (v.date[:4] or "unknown"), []).append(v)
        overall["strata"] = {}
        for name, group in sorted(strata.items()):
            try:
                overall["strata"][name] = estimate_table(capture_table(group, lists), method, **options)
            except ValidationError as exc:
                overall["strata"][name] = {"label": LABEL, "error": exc.message}
        overall["stratified_total"] = _sum_strata(overall["strata"])
    return overall


def _sum_strata(strata: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """Sum of the strata's selected estimates; interval from summed variances (normal approximation)."""
    estimate = 0.0
    variance = 0.0
    for result in strata.values():
        if "results" not in result or not result["results"] or not result["results"][0]["interval"]:
            return None
        first = result["results"][0]
        lo, hi = first["interval"]
        if not math.isfinite(hi):
            return None
        estimate += first["estimate"]
        variance += ((hi - lo) / (2 * 1.959963984540054)) ** 2
    half = 1.959963984540054 * math.sqrt(variance)
    return {
        "label": LABEL,
        "estimate": round(estimate, 3),
        "interval": [round(estimate - half, 3), round(estimate + half, 3)],
        "model": "sum of per-stratum selected models",
    }
