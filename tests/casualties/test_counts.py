"""Documented counts: a hand-built set where every category total, including unknowns, is known."""

from __future__ import annotations

from typing import Any

import pytest

from hague.casualties.counts import CATEGORIES, LABEL, count, victims_from_rows

_next_id = iter(range(1, 10_000))


def row(victim: str | None, status: str, sex: str, age_group: str, **extra: Any) -> dict[str, Any]:
    base = {
        "id": next(_next_id),
        "victim_code": victim,
        "status": status,
        "sex": sex,
        "age_group": age_group,
        "date_text": "2022-03-05",
        "region": "Kharkivska",
        "territorial_control": "government",
        "verification": "corroborated",
        "source_id": 1,
    }
    return base | extra


@pytest.fixture
def hand_set() -> list[dict[str, Any]]:
    """Killed: 2 men, 1 woman, 1 girl, 1 boy, 1 adult and 1 child of unknown sex, 2 of unknown age.
    Injured: 1 man, 2 women, 1 boy, 1 unknown age. Status unknown: 1 woman. Pending: 1 killed man."""
    return [
        row("V1", "killed", "male", "adult"),
        row("V1", "injured", "male", "adult", source_id=2),  # same man in two lists: killed wins, counted once
        row("V2", "killed", "male", "adult", region="Donetska", territorial_control="occupied", date_text="2022-04"),
        row("V3", "killed", "female", "adult", verification="verified"),
        row("V4", "killed", "female", "child"),
        row("V5", "killed", "male", "child", date_text=""),
        row("V6", "killed", "male", "adult"),
        row("V6", "killed", "female", "adult"),  # lists disagree on sex: adult of unknown sex
        row("V7", "killed", "unknown", "child", region=""),
        row("V8", "killed", "female", "unknown"),
        row(None, "killed", "unknown", "unknown"),  # not linked yet: counted as its own victim
        row("V10", "injured", "male", "adult"),
        row("V11", "injured", "female", "adult", territorial_control="occupied"),
        row("V12", "injured", "female", "adult", date_text="2023-01-10"),
        row("V13", "injured", "male", "child"),
        row("V14", "injured", "unknown", "unknown"),
        row("V15", "unknown", "female", "adult"),
        row("V16", "killed", "male", "adult", verification="reported"),  # pending corroboration
    ]


def test_killed_by_category(hand_set: list[dict[str, Any]]) -> None:
    result = count(victims_from_rows(hand_set))
    assert result["by_category"]["killed"] == {
        "men": 2, "women": 1, "girls": 1, "boys": 1, "adults_unknown_sex": 1, "children_unknown_sex": 1,
        "unknown_age": 2, "total": 9,
    }  # fmt: skip


def test_injured_by_category(hand_set: list[dict[str, Any]]) -> None:
    result = count(victims_from_rows(hand_set))
    assert result["by_category"]["injured"] == {
        "men": 1, "women": 2, "girls": 0, "boys": 1, "adults_unknown_sex": 0, "children_unknown_sex": 0,
        "unknown_age": 1, "total": 5,
    }  # fmt: skip


def test_unknown_status_is_kept(hand_set: list[dict[str, Any]]) -> None:
    result = count(victims_from_rows(hand_set))
    assert result["totals"] == {"killed": 9, "injured": 5, "unknown": 1}
    assert result["by_category"]["unknown"]["women"] == 1


def test_unverified_reports_are_pending_not_counted(hand_set: list[dict[str, Any]]) -> None:
    result = count(victims_from_rows(hand_set))
    assert result["pending"] == {"killed": 1, "injured": 0, "unknown": 0}
    assert count(victims_from_rows(hand_set), "reported")["totals"]["killed"] == 10
    assert count(victims_from_rows(hand_set), "verified")["totals"] == {"killed": 1, "injured": 0, "unknown": 0}


def test_by_region_with_unknown(hand_set: list[dict[str, Any]]) -> None:
    result = count(victims_from_rows(hand_set))
    assert result["by_region"] == {
        "Donetska": {"killed": 1, "injured": 0, "unknown": 0},
        "Kharkivska": {"killed": 7, "injured": 5, "unknown": 1},
        "unknown": {"killed": 1, "injured": 0, "unknown": 0},
    }


def test_by_month_with_partial_and_missing_dates(hand_set: list[dict[str, Any]]) -> None:
    result = count(victims_from_rows(hand_set))
    assert result["by_month"] == {
        "2022-03": {"killed": 7, "injured": 4, "unknown": 1},
        "2022-04": {"killed": 1, "injured": 0, "unknown": 0},
        "2023-01": {"killed": 0, "injured": 1, "unknown": 0},
        "unknown": {"killed": 1, "injured": 0, "unknown": 0},
    }


def test_by_territorial_control(hand_set: list[dict[str, Any]]) -> None:
    result = count(victims_from_rows(hand_set))
    assert result["by_control"] == {
        "government": {"killed": 8, "injured": 4, "unknown": 1},
        "occupied": {"killed": 1, "injured": 1, "unknown": 0},
    }


def test_by_verification_status(hand_set: list[dict[str, Any]]) -> None:
    result = count(victims_from_rows(hand_set), "reported")
    assert result["by_verification"] == {
        "corroborated": {"killed": 8, "injured": 5, "unknown": 1},
        "reported": {"killed": 1, "injured": 0, "unknown": 0},
        "verified": {"killed": 1, "injured": 0, "unknown": 0},
    }


def test_categories_add_up_to_totals(hand_set: list[dict[str, Any]]) -> None:
    result = count(victims_from_rows(hand_set))
    for status, row_ in result["by_category"].items():
        assert sum(row_[c] for c in CATEGORIES) == row_["total"] == result["totals"][status]


def test_counts_are_labelled_documented_minimum(hand_set: list[dict[str, Any]]) -> None:
    result = count(victims_from_rows(hand_set))
    assert result["label"] == LABEL == "documented minimum"
    assert "Not an estimate" in result["note"]
