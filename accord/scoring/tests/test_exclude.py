"""--exclude leaves features out, and refuses names that match no feature."""

import pytest

from accord.errors import AccordError
from accord.scoring.services import predictive_train

from .history import build_history

pytestmark = pytest.mark.django_db


def test_excluded_features_are_listed_and_not_used():
    build_history(leads=200, seed=41)

    model = predictive_train(by=None, target="sql", exclude=["sales_status", "account.country"])

    assert model.metrics["excluded"] == ["account.country", "prop.sales_status"]
    assert "prop.sales_status" not in model.metrics["features"]
    assert "account.country" not in model.metrics["features"]
    assert model.metrics["leakage_warnings"] == []


def test_it_refuses_to_exclude_a_feature_that_does_not_exist():
    build_history(leads=200, seed=42)

    with pytest.raises(AccordError, match="--exclude names no feature: salse_status"):
        predictive_train(by=None, target="sql", exclude=["salse_status"])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"target": "lead"}, "the target is a funnel stage"),
        ({"target": "mql"}, "must come after the hand-off stage"),
        ({"target": "sql", "holdout": 0.9}, "between 0.1 and 0.5"),
        ({"target": "sql", "cutoff": 1.5}, "between 0 and 1"),
    ],
)
def test_it_refuses_options_that_make_no_sense(options, message):
    with pytest.raises(AccordError, match=message):
        predictive_train(by=None, **options)
