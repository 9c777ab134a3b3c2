"""Numbers stored as text ("1,200", " 45 ", "$3,000") are read as numbers."""

import math

import numpy as np
import pandas as pd
import pytest

from accord.scoring.predictive.features import NUMERIC, infer_kind, to_numbers
from accord.scoring.predictive.pipeline import coerce_numbers, numeric_branch


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("1,200", 1200.0),
        (" 45 ", 45.0),
        ("$3,000", 3000.0),
        ("12%", 12.0),
        ("1\u00a0500", 1500.0),
        ("-2.5", -2.5),
        (7, 7.0),
    ],
)
def test_it_reads_numbers_stored_as_text(raw, number):
    assert to_numbers(pd.Series([raw], dtype=object))[0] == number


@pytest.mark.parametrize("raw", ["n/a", "unknown", "-- choose --", "50-200", "", None])
def test_words_placeholders_and_ranges_are_not_numbers(raw):
    assert math.isnan(to_numbers(pd.Series([raw], dtype=object))[0])


def test_a_column_of_text_numbers_with_placeholders_is_numeric():
    values = pd.Series(["1,200", " 45 ", "300", "2,500", "12", "80", "7", "19", "60", "5"])
    assert infer_kind(values) == NUMERIC


def test_the_numeric_branch_reads_text_numbers_imputes_and_flags_the_gaps():
    frame = pd.DataFrame({"employees": ["1,200", " 45 ", None, "n/a", "300"]})
    assert np.allclose(coerce_numbers(frame)[:, 0], [1200, 45, np.nan, np.nan, 300], equal_nan=True)

    out = numeric_branch().fit_transform(frame)

    assert out.shape == (5, 2)  # the scaled number and its missing-value indicator
    assert not np.isnan(out).any()
    assert out[2, 0] == out[3, 0]  # both gaps take the median
    assert out[2, 1] == out[3, 1] != out[0, 1]
