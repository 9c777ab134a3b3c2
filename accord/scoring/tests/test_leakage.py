"""Features recorded after the outcome are flagged, by name and with the numbers."""

import numpy as np
import pandas as pd
import pytest

from accord.scoring.predictive.features import CATEGORICAL, NUMERIC
from accord.scoring.predictive.report import leakage_warnings
from accord.scoring.services import predictive_train

from .history import build_history

pytestmark = pytest.mark.django_db


def _split(
    frame: pd.DataFrame, y: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, np.ndarray]:
    half = len(frame) // 2
    return frame.iloc[:half], y[:half], frame.iloc[half:], y[half:]


def test_a_status_filled_in_only_after_the_hand_off_is_flagged():
    rng = np.random.default_rng(0)
    rows = 400
    progressed = rng.random(rows) < 0.4
    y = (progressed & (rng.random(rows) < 0.6)).astype(int)
    words = rng.choice(["contacted", "meeting booked"], rows)
    status = [word if went else np.nan for word, went in zip(words, progressed, strict=True)]
    frame = pd.DataFrame(
        {
            "prop.lead_status": pd.Series(status, dtype=object),
            "prop.industry": rng.choice(["software", "retail"], rows),
            "touches.total": rng.integers(0, 5, rows).astype(float),
        }
    )
    kinds = {
        "prop.lead_status": CATEGORICAL,
        "prop.industry": CATEGORICAL,
        "touches.total": NUMERIC,
    }
    train, y_train, test, y_test = _split(frame, y)

    warnings = leakage_warnings(
        train=train,
        y_train=y_train,
        test=test,
        y_test=y_test,
        kinds=kinds,
        filled=frame,
        progressed=progressed,
        target="sql",
        handoff="mql",
    )

    assert [w["feature"] for w in warnings] == ["prop.lead_status"]
    warning = warnings[0]
    assert warning["filled_progressed"] == 1.0
    assert warning["filled_other"] == 0.0
    assert "filled in for 100% of the leads that went past MQL" in warning["reason"]
    assert "0% of the others" in warning["reason"]


def test_a_feature_that_alone_predicts_the_target_is_flagged():
    rng = np.random.default_rng(1)
    rows = 400
    y = (rng.random(rows) < 0.3).astype(int)
    frame = pd.DataFrame(
        {
            "prop.deal_size": np.where(y == 1, rng.integers(5_000, 9_000, rows), 0).astype(str),
            "prop.colour": rng.choice(["red", "blue"], rows),
        }
    )
    kinds = {"prop.deal_size": NUMERIC, "prop.colour": CATEGORICAL}
    train, y_train, test, y_test = _split(frame, y)

    warnings = leakage_warnings(
        train=train,
        y_train=y_train,
        test=test,
        y_test=y_test,
        kinds=kinds,
        filled=frame,
        progressed=y.astype(bool),
        target="opportunity",
        handoff="mql",
    )

    assert [w["feature"] for w in warnings] == ["prop.deal_size"]
    assert warnings[0]["single_feature_auc"] >= 0.95
    assert "held-out AUC of 1.00" in warnings[0]["reason"]
    assert "Opportunity" in warnings[0]["reason"]


def test_a_training_run_keeps_warned_features_and_says_which_it_used():
    build_history(leads=240, seed=21)

    model = predictive_train(by=None, target="sql")

    warned = [w["feature"] for w in model.metrics["leakage_warnings"]]
    assert "prop.sales_status" in warned
    assert "prop.sales_status" in model.metrics["features"]
    assert model.warnings == model.metrics["leakage_warnings"]
    flagged = [f for f in model.metrics["top_features"] if f["feature"] == "prop.sales_status"]
    assert flagged and flagged[0]["leakage"] is True


def test_a_value_held_almost_only_by_leads_that_converted_is_flagged():
    rng = np.random.default_rng(2)
    rows = 600
    y = (rng.random(rows) < 0.4).astype(int)
    # Half of the converted leads carry "closed won"; the rest of the column looks ordinary.
    tier = rng.choice(["gold", "silver", "bronze"], rows).astype(object)
    tier[(y == 1) & (rng.random(rows) < 0.5)] = "closed won"
    frame = pd.DataFrame({"prop.tier": tier, "prop.colour": rng.choice(["red", "blue"], rows)})
    kinds = {"prop.tier": CATEGORICAL, "prop.colour": CATEGORICAL}
    train, y_train, test, y_test = _split(frame, y)

    warnings = leakage_warnings(
        train=train,
        y_train=y_train,
        test=test,
        y_test=y_test,
        kinds=kinds,
        filled=frame,
        progressed=y.astype(bool),
        target="customer",
        handoff="mql",
    )

    assert [w["feature"] for w in warnings] == ["prop.tier"]
    assert warnings[0]["telling_value"] == "closed won"
    assert "have the value 'closed won', and 100% of them reached Customer" in warnings[0]["reason"]
