"""Splink 5 (DuckDB backend) reference run on the benchmark's own register and subjects.

Splink gets the same rows, lightly standardised the way its documentation recommends
(names transliterated and lower-cased, nationality as ISO alpha-3, dates as ISO strings, a
forename+surname column for its swap level), an out-of-the-box comparison set and
multiple blocking rules. u is estimated by random sampling, m by EM, as in its tutorials.
The function returns each subject's best match weight; bench/matching.py then reports recall
at the review rates a tuned threshold would give (tuned on the evaluation data itself, which
favours Splink).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence

from safeshare.matching.fields import (
    format_date,
    normalise_document,
    normalise_nationality,
    normalise_postcode,
    normalise_sex,
    parse_date_of_birth,
)
from safeshare.matching.normalise import fold
from safeshare.matching.record import IdentityRecord


def _row(unique_id: str, record: IdentityRecord) -> dict[str, object]:
    dob = parse_date_of_birth(record.date_of_birth)
    full = dob[1] and dob[2]
    first = fold(record.given_names) or None
    surname = fold(record.family_name) or None
    return {
        "unique_id": unique_id,
        "first_name": first,
        "surname": surname,
        "full_name": " ".join(x for x in (first, surname) if x) or None,
        "dob": format_date(dob) if full else None,
        "birth_year": str(dob[0]) if dob[0] else None,
        "sex": normalise_sex(record.sex) or None,
        "nationality": normalise_nationality(record.nationality) or None,
        "passport": normalise_document(record.passport_number) or None,
        "postcode": normalise_postcode(record.postcode) or None,
    }


def run_splink(
    register: Sequence[tuple[object, IdentityRecord]],
    subjects: Sequence[IdentityRecord],
) -> tuple[list[float], dict[str, float]]:
    """Best Splink match weight per subject (``-inf`` when Splink blocks no pair)."""
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    started = time.perf_counter()
    left = pd.DataFrame([_row(f"r{i}", r) for i, r in register])
    right = pd.DataFrame([_row(f"s{i}", r) for i, r in enumerate(subjects)])
    db_api = DuckDBAPI()
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.ForenameSurnameComparison(
                "first_name", "surname", forename_surname_concat_col_name="full_name"
            ),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("birth_year"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("nationality"),
            cl.ExactMatch("passport"),
            cl.PostcodeComparison("postcode"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("surname", "birth_year"),
            block_on("first_name", "birth_year"),
            block_on("first_name", "surname"),
            block_on("dob"),
            block_on("passport"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(
        [
            db_api.register(left, dataset_display_name="register"),
            db_api.register(right, dataset_display_name="subjects"),
        ],
        settings,
        log_level=logging.WARNING,
    )
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("surname", "birth_year")
    )
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_weight=-15).as_pandas_dataframe()
    finished = time.perf_counter()
    best = [-math.inf] * len(subjects)
    for left_id, right_id, weight in zip(
        predictions["unique_id_l"],
        predictions["unique_id_r"],
        predictions["match_weight"],
        strict=True,
    ):
        subject_id = right_id if str(right_id).startswith("s") else left_id
        index = int(str(subject_id)[1:])
        if weight > best[index]:
            best[index] = float(weight)
    timings = {
        "splink_train_s": round(trained - started, 1),
        "splink_predict_s": round(finished - trained, 1),
        "splink_pairs": len(predictions),
    }
    return best, timings
