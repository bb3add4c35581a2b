"""Record linkage of casualty lists with Splink (DuckDB backend): blocking, Fellegi–Sunter, EM.

Comparisons are made for Ukrainian data: names in Cyrillic and several Latin systems fold to one key
(`translit.name_key`), Russian forms of given names map to the Ukrainian ones, patronymics compare by the
father's name, swapped given name and surname score as a match, dates may be partial (year or month),
and places compare across languages. `default_splink_pairs` is Splink's documented default setup, the
baseline this model is measured against.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from hague.casualties.translit import fold, name_key, patronymic_key

INPUT_COLUMNS = ("unique_id", "given_name", "surname", "patronymic", "sex", "age", "date", "place", "region")


@dataclass(frozen=True)
class LinkageSettings:
    """Thresholds and training sizes; pairs between `review_threshold` and `match_threshold` go to review."""

    match_threshold: float = 0.95
    review_threshold: float = 0.5
    training_sample: int = 200_000
    u_max_pairs: float = 2e6
    seed: int = 7


def prepare(records: pd.DataFrame) -> pd.DataFrame:
    """Add the comparison columns (folded names and keys, partial-date parts) to a frame of `INPUT_COLUMNS`."""
    missing = [c for c in INPUT_COLUMNS if c not in records.columns]
    if missing:
        from hague.errors import ValidationError

        raise ValidationError(f"linkage input lacks columns: {', '.join(missing)}", field="columns")
    out = pd.DataFrame({"unique_id": records["unique_id"].astype("int64")})
    given = records["given_name"].fillna("").astype(str)
    surname = records["surname"].fillna("").astype(str)
    patronymic = records["patronymic"].fillna("").astype(str)
    place = records["place"].fillna("").astype(str)
    cache: dict[str, tuple[str, str]] = {}

    def folded(value: str) -> tuple[str, str]:
        if value not in cache:
            cache[value] = (fold(value), name_key(value))
        return cache[value]

    for column, values in (("first", given), ("last", surname), ("place", place)):
        pairs = [folded(v) for v in values]
        out[f"{column}_fold"] = [p[0] or None for p in pairs]
        out[f"{column}_key"] = [p[1] or None for p in pairs]
    out["first_pre"] = [f[:2] if f else None for f in out["first_fold"]]
    out["last_pre"] = [f[:3] if f else None for f in out["last_fold"]]
    patr_cache: dict[str, str] = {}
    out["patr_key"] = [patr_cache.setdefault(v, patronymic_key(v)) or None for v in patronymic]
    dates = records["date"].fillna("").astype(str).str.strip()
    out["date_full"] = dates.where(dates.str.len() == 10, None)
    out["date_month"] = dates.str.slice(0, 7).where(dates.str.len() >= 7, None)
    out["date_year"] = dates.str.slice(0, 4).where(dates.str.len() >= 4, None)
    out["age"] = pd.to_numeric(records["age"], errors="coerce").astype("Float64")
    out["sex"] = records["sex"].where(records["sex"].isin(["male", "female"]), None)
    out["region"] = records["region"].fillna("").astype(str).replace("", None)
    return out


def _settings() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    def name_comparison(this: str, other: str, label: str) -> Any:
        return cl.CustomComparison(
            output_column_name=label,
            comparison_levels=[
                cll.NullLevel(f"{this}_fold"),
                cll.ExactMatchLevel(f"{this}_fold"),
                cll.ExactMatchLevel(f"{this}_key"),
                cll.CustomLevel(
                    f'"{this}_key_l" = "{other}_key_r" AND "{other}_key_l" = "{this}_key_r"', "name order swapped"
                ),
                cll.JaroWinklerLevel(f"{this}_fold", 0.92),
                cll.JaroWinklerLevel(f"{this}_fold", 0.8),
                cll.ElseLevel(),
            ],
        )

    date = cl.CustomComparison(
        output_column_name="date",
        comparison_levels=[
            cll.NullLevel("date_year"),
            cll.ExactMatchLevel("date_full"),
            cll.CustomLevel(
                "abs(date_diff('day', try_cast(date_full_l AS DATE), try_cast(date_full_r AS DATE))) <= 3",
                "within 3 days",
            ),
            cll.ExactMatchLevel("date_month"),
            cll.ExactMatchLevel("date_year"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            name_comparison("first", "last", "given_name"),
            name_comparison("last", "first", "surname"),
            cl.CustomComparison(
                output_column_name="patronymic",
                comparison_levels=[
                    cll.NullLevel("patr_key"),
                    cll.ExactMatchLevel("patr_key"),
                    cll.JaroWinklerLevel("patr_key", 0.85),
                    cll.ElseLevel(),
                ],
            ),
            date,
            cl.CustomComparison(
                output_column_name="age",
                comparison_levels=[
                    cll.NullLevel("age"),
                    cll.CustomLevel("abs(age_l - age_r) <= 1", "age within 1"),
                    cll.CustomLevel("abs(age_l - age_r) <= 4", "age within 4"),
                    cll.ElseLevel(),
                ],
            ),
            cl.CustomComparison(
                output_column_name="place",
                comparison_levels=[
                    cll.NullLevel("place_key"),
                    cll.ExactMatchLevel("place_key"),
                    cll.JaroWinklerLevel("place_fold", 0.88),
                    cll.ElseLevel(),
                ],
            ),
            cl.ExactMatch("region"),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("last_key", "first_key"),
            {"blocking_rule": "l.first_key = r.last_key AND l.last_key = r.first_key"},
            block_on("last_key", "date_month"),
            block_on("first_key", "date_full"),
            block_on("first_key", "patr_key", "place_key"),
            block_on("first_key", "last_pre", "region"),
            block_on("last_key", "first_pre", "region"),
            block_on("first_key", "region", "date_month"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def _train_and_predict(
    prepared: pd.DataFrame,
    settings: Any,
    deterministic: Sequence[Any],
    em_rules: Sequence[Any],
    linkage: LinkageSettings,
    threshold: float,
) -> pd.DataFrame:
    import duckdb
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.ERROR)

    def backend() -> DuckDBAPI:
        connection = duckdb.connect()
        connection.execute("SET enable_progress_bar = false")
        return DuckDBAPI(connection)

    sample = prepared
    if len(prepared) > linkage.training_sample:
        sample = prepared.sample(linkage.training_sample, random_state=linkage.seed)
    trainer = Linker(backend().register(sample), settings, log_level=None)
    trainer.training.estimate_probability_two_random_records_match(list(deterministic), recall=0.7)
    trainer.training.estimate_u_using_random_sampling(max_pairs=linkage.u_max_pairs, seed=linkage.seed)
    for rule in em_rules:
        trainer.training.estimate_parameters_using_expectation_maximisation(rule)
    # a uniform sample of records keeps the share of matching pairs (both true matches and all pairs
    # shrink by the square of the sampling rate), so the trained prior applies to the full set unchanged
    model = trainer.misc.save_model_to_json()
    linker = Linker(backend().register(prepared), model, log_level=None)
    predicted = linker.inference.predict(threshold_match_probability=threshold)
    pairs: pd.DataFrame = predicted.as_pandas_dataframe()  # type: ignore[no-untyped-call]
    return pairs[["unique_id_l", "unique_id_r", "match_probability"]].reset_index(drop=True)


def predict_pairs(records: pd.DataFrame, linkage: LinkageSettings | None = None) -> pd.DataFrame:
    """Scored candidate pairs (`unique_id_l`, `unique_id_r`, `match_probability`) at or above the review band."""
    from splink import block_on

    linkage = linkage or LinkageSettings()
    prepared = prepare(records)
    return _train_and_predict(
        prepared,
        _settings(),
        deterministic=[
            block_on("last_key", "first_key", "date_full"),
            block_on("last_key", "first_key", "patr_key"),
        ],
        em_rules=[block_on("last_key", "first_key"), block_on("date_full", "place_key")],
        linkage=linkage,
        threshold=linkage.review_threshold,
    )


def default_splink_pairs(records: pd.DataFrame, linkage: LinkageSettings | None = None) -> pd.DataFrame:
    """Splink's documented default setup (its deduplication tutorial) on the raw columns: the baseline.

    Its comparisons and training are the tutorial's; blocking on surname alone is narrowed to surname and
    first name, since surname alone yields hundreds of millions of pairs at a million records.
    """
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    linkage = linkage or LinkageSettings()
    raw = pd.DataFrame(
        {
            "unique_id": records["unique_id"].astype("int64"),
            "first_name": records["given_name"].replace("", None),
            "surname": records["surname"].replace("", None),
            "dob": records["date"].where(records["date"].fillna("").str.len() == 10, None),
            "city": records["place"].replace("", None),
            "region": records["region"].replace("", None),
        }
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.ForenameSurnameComparison("first_name", "surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.ExactMatch("region"),
        ],
        blocking_rules_to_generate_predictions=[block_on("first_name", "dob"), block_on("surname", "first_name")],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    return _train_and_predict(
        raw,
        settings,
        deterministic=[block_on("first_name", "surname", "dob")],
        em_rules=[block_on("first_name", "surname"), block_on("dob")],
        linkage=linkage,
        threshold=linkage.match_threshold,
    )


def cluster(
    ids: Sequence[int] | np.ndarray,
    pairs: pd.DataFrame,
    threshold: float,
    accepted: Sequence[tuple[int, int]] = (),
    rejected: Sequence[tuple[int, int]] = (),
) -> dict[int, int]:
    """Connected components of pairs at or above `threshold`, plus accepted pairs, minus rejected ones."""
    ids_array = np.asarray(ids, dtype=np.int64)
    index = pd.Series(np.arange(len(ids_array)), index=ids_array)
    strong = pairs[pairs["match_probability"] >= threshold]
    left = strong["unique_id_l"].to_numpy(dtype=np.int64)
    right = strong["unique_id_r"].to_numpy(dtype=np.int64)
    if rejected:
        drop = {(min(a, b), max(a, b)) for a, b in rejected}
        keep = np.array([(min(a, b), max(a, b)) not in drop for a, b in zip(left, right, strict=True)], dtype=bool)
        left, right = left[keep] if len(keep) else left, right[keep] if len(keep) else right
    if accepted:
        extra = np.asarray(accepted, dtype=np.int64)
        left = np.concatenate([left, extra[:, 0]])
        right = np.concatenate([right, extra[:, 1]])
    rows = index.reindex(left).to_numpy()
    cols = index.reindex(right).to_numpy()
    valid = ~(np.isnan(rows.astype(float)) | np.isnan(cols.astype(float)))
    n = len(ids_array)
    graph = coo_matrix(
        (np.ones(int(valid.sum())), (rows[valid].astype(np.int64), cols[valid].astype(np.int64))), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=False)
    return dict(zip(ids_array.tolist(), labels.tolist(), strict=True))


def pair_quality(truth: Sequence[Any], labels: dict[int, int], ids: Sequence[int]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering against true entity labels."""
    frame = pd.DataFrame({"truth": list(truth), "label": [labels[i] for i in ids]})

    def pairs_within(groups: pd.Series) -> int:
        sizes = groups.value_counts().to_numpy(dtype=np.int64)
        return int((sizes * (sizes - 1) // 2).sum())

    true_pairs = pairs_within(frame["truth"])
    found_pairs = pairs_within(frame["label"])
    both = pairs_within(frame["truth"].astype(str) + "\x1f" + frame["label"].astype(str))
    precision = both / found_pairs if found_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true_pairs": true_pairs, "found_pairs": found_pairs}
