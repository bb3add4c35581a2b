"""Published tables and charts (CSV, PNG, SVG) and a PDF summary in the style of OHCHR's updates.

Documented minimums and estimates are kept in separate sections with their own labels; the method is
stated on the page, as Every Casualty's standards ask.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path
from typing import Any

from hague.casualties.counts import CATEGORIES, LABEL

_CATEGORY_TITLES = {
    "men": "men",
    "women": "women",
    "girls": "girls",
    "boys": "boys",
    "adults_unknown_sex": "adults of unknown sex",
    "children_unknown_sex": "children of unknown sex",
    "unknown_age": "age unknown",
}

_SINGULAR = {
    "men": "man",
    "women": "woman",
    "girls": "girl",
    "boys": "boy",
    "adults_unknown_sex": "adult of unknown sex",
    "children_unknown_sex": "child of unknown sex",
    "unknown_age": "person of unknown age",
}
_CATEGORY_TITLES["unknown_age"] = "people of unknown age"


def _write_split(path: Path, title: str, table: dict[str, dict[str, int]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([f"# {LABEL}: {title}"])
        writer.writerow([title, "killed", "injured", "status unknown"])
        for key, row in table.items():
            writer.writerow([key, row["killed"], row["injured"], row["unknown"]])


def write_tables(counts: dict[str, Any], out: Path) -> list[Path]:
    """CSV tables: by category, region, month, territorial control, verification."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    path = out / "by_category.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([f"# {LABEL} (verification >= {counts['min_verification']})"])
        writer.writerow(["status", *CATEGORIES, "total"])
        for status, row in counts["by_category"].items():
            writer.writerow([status, *(row[c] for c in CATEGORIES), row["total"]])
    written.append(path)
    for key, title in (
        ("by_region", "region"),
        ("by_month", "month"),
        ("by_control", "territorial control"),
        ("by_verification", "verification"),
    ):
        path = out / f"{key}.csv"
        _write_split(path, title, counts[key])
        written.append(path)
    return written


def write_charts(counts: dict[str, Any], out: Path, formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    """Charts: monthly time series, by region, by age and sex (killed and injured apart)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    subtitle = f"{LABEL}; verification ≥ {counts['min_verification']}"

    def save(fig: Any, name: str) -> None:
        fig.tight_layout()
        for fmt in formats:
            path = out / f"{name}.{fmt}"
            fig.savefig(path, format=fmt, dpi=120, metadata={"Date": None} if fmt == "svg" else None)
            written.append(path)
        plt.close(fig)

    months = [k for k in counts["by_month"] if k != "unknown"]
    fig, ax = plt.subplots(figsize=(8, 3.5))
    for status, colour in (("killed", "#8b1a1a"), ("injured", "#d98c1f")):
        ax.plot(months, [counts["by_month"][k][status] for k in months], marker="o", label=status, color=colour)
    ax.set_title(f"Civilian casualties by month ({subtitle})", fontsize=9)
    ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    ax.legend()
    save(fig, "time_series")

    regions = list(counts["by_region"])
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.3 * len(regions))))
    killed = [counts["by_region"][r]["killed"] for r in regions]
    injured = [counts["by_region"][r]["injured"] for r in regions]
    ax.barh(regions, killed, color="#8b1a1a", label="killed")
    ax.barh(regions, injured, left=killed, color="#d98c1f", label="injured")
    ax.set_title(f"Civilian casualties by region ({subtitle})", fontsize=9)
    ax.legend()
    save(fig, "by_region")

    fig, ax = plt.subplots(figsize=(8, 3.5))
    labels = [_CATEGORY_TITLES[c] for c in CATEGORIES]
    xs = range(len(CATEGORIES))
    ax.bar([x - 0.2 for x in xs], [counts["by_category"]["killed"][c] for c in CATEGORIES], 0.4, label="killed",
           color="#8b1a1a")  # fmt: skip
    ax.bar([x + 0.2 for x in xs], [counts["by_category"]["injured"][c] for c in CATEGORIES], 0.4, label="injured",
           color="#d98c1f")  # fmt: skip
    ax.set_xticks(list(xs), labels, rotation=30, ha="right", fontsize=7)
    ax.set_title(f"Civilian casualties by age and sex ({subtitle})", fontsize=9)
    ax.legend()
    save(fig, "by_age_sex")
    return written


def summary_html(counts: dict[str, Any], estimate: dict[str, Any] | None, charts: Path | None) -> str:
    """The summary page: headline minimums, breakdowns, charts, then estimates in their own section."""
    esc = html.escape
    k, i = counts["by_category"]["killed"], counts["by_category"]["injured"]

    def sentence(row: dict[str, int]) -> str:
        parts = [f"{row[c]} {_SINGULAR[c] if row[c] == 1 else _CATEGORY_TITLES[c]}" for c in CATEGORIES if row[c]]
        return ", ".join(parts) or "none"

    rows = "".join(
        f"<tr><td>{esc(r)}</td><td>{v['killed']}</td><td>{v['injured']}</td></tr>"
        for r, v in counts["by_region"].items()
    )
    control = "".join(
        f"<tr><td>{esc(r)}</td><td>{v['killed']}</td><td>{v['injured']}</td></tr>"
        for r, v in counts["by_control"].items()
    )
    images = ""
    if charts is not None:
        for name in ("time_series", "by_region", "by_age_sex"):
            svg = charts / f"{name}.svg"
            if svg.exists():
                images += f'<img src="{svg.resolve().as_uri()}" style="width:100%">'
    est_html = ""
    if estimate is not None:
        items = "".join(
            f"<li><b>{r['estimate']:.0f}</b> (95% interval {r['interval'][0]:.0f}–{r['interval'][1]:.0f}); "
            f"{esc(r['method'])}; model {esc(r['model'])}</li>"
            for r in estimate["results"]
            if r.get("interval")
        )
        warnings = "".join(f"<li>{esc(w)}</li>" for w in estimate.get("warnings", []))
        est_html = (
            "<h2>Statistical estimate (not a documented count)</h2>"
            "<p>Multiple systems estimation over the deduplicated overlap of the source lists "
            f"({esc(', '.join(estimate['lists']))}). Estimates include victims no list documented.</p>"
            f"<ul>{items}</ul>" + (f"<p>Warnings:</p><ul>{warnings}</ul>" if warnings else "")
        )
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
body {{ font-family: sans-serif; font-size: 10pt; margin: 1.5cm; }}
h1 {{ font-size: 15pt; color: #1f3864; }} h2 {{ font-size: 12pt; color: #1f3864; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #999; padding: 2px 6px; }}
.label {{ background: #eef; padding: 4px; }}
</style></head><body>
<h1>Civilian casualties: update, case {esc(str(counts.get("case", "")))}</h1>
<p class="label"><b>Documented minimum.</b> {esc(counts["note"])}</p>
<p>In total, <b>{counts["totals"]["killed"] + counts["totals"]["injured"]}</b> civilian casualties were documented:
<b>{counts["totals"]["killed"]} killed</b> ({sentence(k)}) and <b>{counts["totals"]["injured"]} injured</b>
({sentence(i)}). Casualties of unknown status: {counts["totals"]["unknown"]}.
Reports pending corroboration (not counted): {sum(counts["pending"].values())}.</p>
<h2>By region (documented minimum)</h2><table><tr><th>region</th><th>killed</th><th>injured</th></tr>{rows}</table>
<h2>By territorial control (documented minimum)</h2>
<table><tr><th>control</th><th>killed</th><th>injured</th></tr>{control}</table>
{images}
{est_html}
<h2>Method</h2><p>Records from each source list are deduplicated by probabilistic record linkage with clerical
review of uncertain pairs; a victim is counted once whatever the number of lists naming them. Only victims whose
records reached the stated verification level are counted. Estimates are computed separately, by multiple systems
estimation, and are never added to documented counts.</p>
</body></html>"""


def write_report(counts: dict[str, Any], estimate: dict[str, Any] | None, out: Path) -> dict[str, Any]:
    """Write tables, charts and `summary.pdf` into `out`; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    tables = write_tables(counts, out / "tables")
    charts = write_charts(counts, out / "charts")
    page = summary_html(counts, estimate, out / "charts")
    (out / "summary.html").write_text(page, encoding="utf-8")
    from weasyprint import HTML

    pdf = out / "summary.pdf"
    HTML(string=page, base_url=str(out)).write_pdf(pdf)
    return {"tables": tables, "charts": charts, "pdf": pdf, "html": out / "summary.html"}
