"""Placeholders that real exports use for "nothing" read as missing, wherever they appear."""

import numpy as np
import pandas as pd
import pytest

from accord.funnel.services import property_define
from accord.funnel.tests.factories import make_lead
from accord.scoring.predictive.features import (
    CATEGORICAL,
    clean_column,
    clean_value,
    read_features,
    select_columns,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "N/A",
        "n/a",
        "-",
        "--",
        "---",
        "unknown",
        "Unknown",
        "none",
        "NULL",
        "0000-00-00",
        "-- choose --",
        "-- Choose --",
        "Please select",
        "?",
        "(no value)",
        None,
        float("nan"),
    ],
)
def test_it_reads_placeholders_as_missing(raw):
    assert clean_value(raw) is None


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("  Software ", "software"),
        ("VP   Marketing", "vp marketing"),
        (True, "true"),
        (False, "false"),
        (12, "12"),
        ("None of the above", "none of the above"),
    ],
)
def test_it_keeps_real_values_stripped_and_case_folded(raw, text):
    assert clean_value(raw) == text


def test_a_column_of_placeholders_is_never_filled_in():
    column = clean_column(pd.Series(["N/A", "-- choose --", "unknown", None, "0000-00-00"]))
    assert column.isna().all()
    frame = pd.DataFrame({"prop.region": column, "prop.tier": ["gold"] * 5})
    selection = select_columns(frame, exclude=[])
    assert {"feature": "prop.region", "reason": "never filled in"} in selection.dropped


def test_placeholders_in_custom_properties_are_missing_in_the_feature_table():
    property_define(entity="lead", label="Region", type="text", by=None)
    filled = make_lead(properties={"region": "EMEA"})
    placeholder = make_lead(properties={"region": "-- choose --"})
    dashes = make_lead(properties={"region": " - "})
    ids = np.array(sorted([filled.pk, placeholder.pk, dashes.pk]))
    cutoffs = pd.Series(pd.Timestamp.now(tz="UTC"), index=ids)

    frame = read_features(ids, cutoffs)

    assert frame.loc[filled.pk, "prop.region"] == "emea"
    assert pd.isna(frame.loc[placeholder.pk, "prop.region"])
    assert pd.isna(frame.loc[dashes.pk, "prop.region"])


def test_it_drops_identifiers_and_free_text_but_keeps_picklists():
    rows = 40
    frame = pd.DataFrame(
        {
            "prop.twitter": [f"@person{i}" for i in range(rows)],
            "prop.tier": ["gold", "silver"] * (rows // 2),
        }
    )
    selection = select_columns(frame, exclude=[])
    assert selection.kinds == {"prop.tier": CATEGORICAL}
    assert selection.dropped[0]["feature"] == "prop.twitter"
    assert "identifier or free text" in selection.dropped[0]["reason"]
