"""Estimates: aggregated capture tables in, "estimate, interval, model" out; never mixed with counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hague.casualties.estimate import LABEL, estimate_table, read_capture_csv
from hague.casualties.lcmcr import sample
from hague.casualties.loglinear import CaptureTable
from hague.cli.main import app
from hague.errors import ValidationError

DIABETES_CSV = """c1,c2,c3,c4,count
1,1,1,1,58
1,1,1,0,157
1,1,0,1,18
1,1,0,0,104
1,0,1,1,46
1,0,1,0,650
1,0,0,1,12
1,0,0,0,709
0,1,1,1,14
0,1,1,0,20
0,1,0,1,7
0,1,0,0,74
0,0,1,1,8
0,0,1,0,182
0,0,0,1,10
"""


@pytest.fixture
def table_csv(tmp_path: Path) -> Path:
    path = tmp_path / "diabetes.csv"
    path.write_text(DIABETES_CSV, encoding="utf-8")
    return path


def test_capture_csv_is_read_in_any_row_order(table_csv: Path, tmp_path: Path) -> None:
    lines = DIABETES_CSV.strip().splitlines()
    shuffled = tmp_path / "shuffled.csv"
    shuffled.write_text("\n".join([lines[0], *reversed(lines[1:])]), encoding="utf-8")
    assert read_capture_csv(shuffled) == read_capture_csv(table_csv)


def test_capture_csv_needs_a_count_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,0\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="count"):
        read_capture_csv(path)


def test_capture_csv_refuses_non_binary_histories(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b,count\n2,0,5\n", encoding="utf-8")
    with pytest.raises(ValidationError):
        read_capture_csv(path)


def test_estimate_reports_estimate_interval_and_model(table_csv: Path) -> None:
    result = estimate_table(read_capture_csv(table_csv), "loglinear")
    assert result["label"] == LABEL == "estimate"
    first = result["results"][0]
    assert set(first) >= {"estimate", "interval", "model", "method"}
    assert first["interval"][0] <= first["estimate"] <= first["interval"][1]
    assert len(result["models_considered"]) == 113
    assert len(result["overlap"]) == 15


def test_estimate_lcmcr_reports_its_chains_agreement(table_csv: Path) -> None:
    result = estimate_table(read_capture_csv(table_csv), "lcmcr", iterations=2000)
    (lc,) = result["results"]
    assert lc["settings"]["chains"] == 4 and isinstance(lc["rhat"], float)
    assert 2069 <= lc["interval"][0] <= lc["estimate"] <= lc["interval"][1]


def test_cli_estimate_from_table_as_json(table_csv: Path) -> None:
    out = CliRunner().invoke(app, ["casualties", "estimate", "--table", str(table_csv), "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert result["label"] == "estimate"
    assert result["documented_in_lists"] == 2069
    assert {"estimate", "interval", "model"} <= set(result["results"][0])
    assert all("aic" in m and "model" in m for m in result["models_considered"])


def test_cli_estimate_needs_case_or_table() -> None:
    out = CliRunner().invoke(app, ["casualties", "estimate"])
    assert out.exit_code == 2 and "case or --table" in out.output


def test_lcmcr_is_reproducible_with_a_seed() -> None:
    data = CaptureTable.from_counts(["a", "b", "c"], {(1, 1, 1): 20, (1, 0, 0): 60, (0, 1, 0): 50, (0, 0, 1): 70,
                                                      (1, 1, 0): 15, (1, 0, 1): 12, (0, 1, 1): 10})  # fmt: skip
    first = sample(data, iterations=600, burn_in=200, seed=3)
    second = sample(data, iterations=600, burn_in=200, seed=3)
    assert first.estimate == second.estimate and first.interval == second.interval
    assert first.interval[0] >= data.observed


def test_lcmcr_covers_a_homogeneous_population() -> None:
    import numpy as np

    from tests.casualties.simulate import latent_classes

    data = latent_classes(np.random.default_rng(8), 1500, (1.0,), ((0.3, 0.25, 0.35, 0.2),))
    result = sample(data, iterations=1500, burn_in=400, seed=8)
    assert result.interval[0] <= 1500 <= result.interval[1]


def test_lcmcr_chains_agree_on_a_homogeneous_population_and_split_rhat_flags_disagreement() -> None:
    import numpy as np

    from hague.casualties.lcmcr import _split_rhat
    from tests.casualties.simulate import latent_classes

    data = latent_classes(np.random.default_rng(5), 1500, (1.0,), ((0.3, 0.25, 0.35, 0.2),))
    result = sample(data, iterations=3000, burn_in=500, seed=5, chains=4)
    assert result.settings["chains"] == 4 and result.rhat < 1.1
    assert not any("R-hat" in w for w in result.warnings)
    assert result.samples.size == 4 * 500 * 10  # 2,500 kept steps / thin 5, 10 draws each, per chain
    rng = np.random.default_rng(0)
    assert _split_rhat(rng.normal(0.0, 1.0, (4, 400))) < 1.05
    assert _split_rhat(rng.normal(0.0, 1.0, (4, 400)) + np.arange(4)[:, None]) > 1.5
