"""The same history and seed give the same model and report."""

import pytest

from accord.scoring.selectors import predict_scores
from accord.scoring.services import predictive_train

from .history import build_history

pytestmark = pytest.mark.django_db


def test_training_twice_with_one_seed_gives_the_same_report_and_scores():
    ids = build_history(leads=240, seed=11)

    first = predictive_train(by=None, target="sql", exclude=["sales_status"], seed=42)
    second = predictive_train(by=None, target="sql", exclude=["sales_status"], seed=42)

    assert first.pk != second.pk
    assert first.metrics == second.metrics
    assert predict_scores(ids, model=first) == predict_scores(ids, model=second)


def test_another_seed_holds_out_other_leads():
    build_history(leads=240, seed=12)

    one = predictive_train(by=None, target="sql", exclude=["sales_status"], seed=1)
    two = predictive_train(by=None, target="sql", exclude=["sales_status"], seed=2)

    assert one.metrics["deciles"] != two.metrics["deciles"]
