"""Linkage runs in a case: victims across lists, review decisions feeding back, stable victim codes."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from hague.casualties import imports, links
from hague.casualties import models as m
from hague.casualties.counts import documented_counts
from hague.core import Hague
from hague.errors import PermissionDenied, ValidationError
from tests.casualties.conftest import check_entries, write_csv
from tests.casualties.generate import generate

pytestmark = pytest.mark.slow  # each test trains a Splink model

GENERATED_MAPPING = {
    "columns": {
        "given_name": "given_name",
        "surname": "surname",
        "patronymic": "patronymic",
        "sex": "sex",
        "age": "age",
        "date": "date",
        "place_name": "place",
        "region": "region",
        "status": "status",
        "verification": "verification",
    },
    "defaults": {"status": "killed", "verification": "corroborated"},
}


def load_lists(hague: Hague, case_code: str, frame: pd.DataFrame, folder: Path) -> dict[str, int]:
    """Import each generated list as its own source; returns source code -> import id."""
    done = {}
    for source, group in frame.groupby("source"):
        rows = group.drop(columns=["unique_id", "truth", "source"]).fillna("").to_dict("records")
        rows = [{k: (str(int(v)) if k == "age" and v != "" else v) for k, v in r.items()} for r in rows]
        path = write_csv(folder / f"{source}.csv", rows)
        with hague.unit() as unit:
            imports.create_source(unit, case_code, str(source), f"list {source}", "ngo", "ana")
            done[str(source)] = imports.import_file(unit, case_code, str(source), path, "ana", GENERATED_MAPPING).id
    return done


@pytest.fixture
def loaded(hague: Hague, case_code: str, people: dict[str, str], tmp_path: Path) -> dict[str, int]:
    return load_lists(hague, case_code, generate(150, lists=3, seed=4), tmp_path)


def victim_codes(hague: Hague) -> dict[int, str | None]:
    with hague.reader() as session:
        return dict(session.execute(select(m.CasualtyRecord.id, m.CasualtyRecord.victim_code)).tuples().all())


def test_linkage_collapses_records_into_fewer_victims(hague: Hague, case_code: str, loaded: dict[str, int]) -> None:
    with hague.unit() as unit:
        run = links.run_linkage(unit, case_code, "ana")
    assert run.victims < run.records
    assert 140 <= run.victims <= 165  # 150 people were generated
    assert all(code and code.startswith("V-") for code in victim_codes(hague).values())


def test_rerun_keeps_every_victims_code(hague: Hague, case_code: str, loaded: dict[str, int]) -> None:
    with hague.unit() as unit:
        links.run_linkage(unit, case_code, "ana")
    before = victim_codes(hague)
    with hague.unit() as unit:
        links.run_linkage(unit, case_code, "ana")
    assert victim_codes(hague) == before


def test_new_list_keeps_existing_codes(hague: Hague, case_code: str, loaded: dict[str, int], tmp_path: Path) -> None:
    with hague.unit() as unit:
        links.run_linkage(unit, case_code, "ana")
    before = victim_codes(hague)
    extra = generate(150, lists=4, seed=4)
    extra = extra[extra["source"] == "L4"]
    load_lists(hague, case_code, extra, tmp_path)
    with hague.unit() as unit:
        links.run_linkage(unit, case_code, "ana")
    after = victim_codes(hague)
    kept = sum(after[r] == code for r, code in before.items())
    assert kept / len(before) >= 0.97


def test_review_decisions_feed_back_into_clusters(hague: Hague, case_code: str, loaded: dict[str, int]) -> None:
    with hague.unit() as unit:
        links.run_linkage(unit, case_code, "ana", links.linkage.LinkageSettings(match_threshold=0.999))
    with hague.reader() as session:
        queue = links.review_queue(session, case_code)
    assert queue, "the uncertain band should hold pairs at a high match threshold"
    first = queue[0]
    with hague.unit() as unit:
        links.decide(unit, case_code, first["pair"], "accept", "ana", note="same father's name and date")
    codes = victim_codes(hague)
    assert codes[first["a"]["record"]] == codes[first["b"]["record"]]
    with hague.unit() as unit:
        links.decide(unit, case_code, first["pair"], "reject", "lead")
    codes = victim_codes(hague)
    assert codes[first["a"]["record"]] != codes[first["b"]["record"]]
    with hague.reader() as session:
        decisions = session.scalars(select(m.LinkDecision).order_by(m.LinkDecision.id)).all()
        assert [(d.decision, d.decided_by) for d in decisions] == [("accept", "ana"), ("reject", "lead")]
        assert first["pair"] not in {q["pair"] for q in links.review_queue(session, case_code)}


def test_linkage_and_decisions_verify(hague: Hague, case_code: str, loaded: dict[str, int]) -> None:
    with hague.unit() as unit:
        links.run_linkage(unit, case_code, "ana", links.linkage.LinkageSettings(match_threshold=0.999))
    with hague.reader() as session:
        pair = links.review_queue(session, case_code)[0]["pair"]
    with hague.unit() as unit:
        links.decide(unit, case_code, pair, "unsure", "ana")
    assert check_entries(hague) >= 3 * 3 + 3


def test_withdrawn_records_leave_the_counts(hague: Hague, case_code: str, loaded: dict[str, int]) -> None:
    with hague.unit() as unit:
        links.run_linkage(unit, case_code, "ana")
    with hague.reader() as session:
        before = documented_counts(session, case_code)["totals"]["killed"]
    with hague.unit() as unit:
        imports.withdraw_import(unit, case_code, loaded["L1"], "lead", "list L1 was a draft")
    with hague.reader() as session:
        after = documented_counts(session, case_code)["totals"]["killed"]
    assert after < before


def test_viewer_cannot_run_linkage(hague: Hague, case_code: str, loaded: dict[str, int]) -> None:
    with pytest.raises(PermissionDenied), hague.unit() as unit:
        links.run_linkage(unit, case_code, "vic")


def test_decision_must_be_known(hague: Hague, case_code: str, loaded: dict[str, int]) -> None:
    with pytest.raises(ValidationError), hague.unit() as unit:
        links.decide(unit, case_code, 1, "maybe", "ana")


def test_linkage_keeps_names_out_of_logs(
    hague: Hague,
    case_code: str,
    loaded: dict[str, int],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    with hague.unit() as unit:
        links.run_linkage(unit, case_code, "ana")
    with hague.reader() as session:
        surnames = {s for s in session.scalars(select(m.CasualtyRecord.surname)) if len(s) > 4}
    captured = capfd.readouterr()
    text = caplog.text + captured.out + captured.err
    assert surnames and not [s for s in surnames if s in text]
