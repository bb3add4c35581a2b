"""Reports: CSV tables, PNG/SVG charts and a PDF summary; documented minimums and estimates kept apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from hague.casualties.counts import count, victims_from_rows
from hague.casualties.estimate import estimate_table
from hague.casualties.loglinear import CaptureTable
from hague.casualties.reports import summary_html, write_report, write_tables


@pytest.fixture
def counts() -> dict[str, object]:
    rows = [
        {"id": i, "victim_code": f"V{i}", "status": status, "sex": sex, "age_group": age,
         "date_text": f"2022-0{month}-10", "region": region, "territorial_control": "government",
         "verification": "verified", "source_id": 1}
        for i, (status, sex, age, month, region) in enumerate([
            ("killed", "male", "adult", 3, "Kharkivska"), ("killed", "female", "child", 3, "Donetska"),
            ("injured", "female", "adult", 4, "Kharkivska"), ("injured", "unknown", "unknown", 5, "Kyivska"),
        ])
    ]  # fmt: skip
    return count(victims_from_rows(rows)) | {"case": "UKR-OTP-0001"}


@pytest.fixture
def estimate() -> dict[str, object]:
    data = CaptureTable.from_counts(["A", "B", "C"], {(1, 1, 1): 20, (1, 0, 0): 60, (0, 1, 0): 50, (0, 0, 1): 70,
                                                      (1, 1, 0): 15, (1, 0, 1): 12, (0, 1, 1): 10})  # fmt: skip
    return estimate_table(data)


def test_report_writes_tables_charts_and_pdf(
    counts: dict[str, object], estimate: dict[str, object], tmp_path: Path
) -> None:
    written = write_report(counts, estimate, tmp_path / "report")  # type: ignore[arg-type]
    assert written["pdf"].read_bytes().startswith(b"%PDF")
    names = {p.name for p in written["charts"]}
    for chart in ("time_series", "by_region", "by_age_sex"):
        assert {f"{chart}.png", f"{chart}.svg"} <= names
    png = next(p for p in written["charts"] if p.suffix == ".png")
    assert png.read_bytes().startswith(b"\x89PNG")
    assert {p.name for p in written["tables"]} == {
        "by_category.csv", "by_region.csv", "by_month.csv", "by_control.csv", "by_verification.csv"
    }  # fmt: skip


def test_tables_are_labelled_documented_minimum(counts: dict[str, object], tmp_path: Path) -> None:
    for table in write_tables(counts, tmp_path / "tables"):  # type: ignore[arg-type]
        assert table.read_text(encoding="utf-8").startswith("# documented minimum")


def test_summary_keeps_estimates_in_their_own_section(counts: dict[str, object], estimate: dict[str, object]) -> None:
    page = summary_html(counts, estimate, None)  # type: ignore[arg-type]
    minimum, _, estimates = page.partition("Statistical estimate (not a documented count)")
    assert "Documented minimum" in minimum and "model" in estimates
    assert "2 killed</b> (1 man, 1 girl)" in minimum
    assert "(1 woman, 1 person of unknown age)" in minimum
