"""The latest model suggests a 0-100 score for any lead."""

import pytest

from accord.funnel.models import Lead
from accord.funnel.tests.factories import make_lead
from accord.scoring.models import PredictiveModel
from accord.scoring.selectors import latest_model, predict_scores, predictive_models
from accord.scoring.services import predictive_train

from .history import build_history

pytestmark = pytest.mark.django_db


def test_there_is_no_suggested_score_before_a_model_is_trained():
    lead = make_lead()
    assert latest_model() is None
    assert predict_scores([lead]) == {}


def test_the_latest_model_scores_old_and_new_leads_from_0_to_100():
    ids = build_history(leads=240, seed=31)
    predictive_train(by=None, target="sql", exclude=["sales_status"], seed=1)
    newest = predictive_train(by=None, target="sql", exclude=["sales_status"], seed=2)
    newcomer = make_lead(title="Chief Marketing Officer", source="Referral")

    scores = predict_scores([*Lead.objects.filter(pk__in=ids[:50]), newcomer])

    assert latest_model() == newest
    assert set(scores) == {*ids[:50], newcomer.pk}
    assert all(0 <= s <= 100 for s in scores.values())
    assert len(set(scores.values())) > 1
    assert predict_scores([newcomer.pk]) == {newcomer.pk: scores[newcomer.pk]}


def test_the_model_list_leaves_the_pipeline_out():
    build_history(leads=200, seed=32)
    predictive_train(by=None, target="sql", exclude=["sales_status"])

    listed = predictive_models().get()

    assert "pipeline" in listed.get_deferred_fields()
    assert isinstance(listed, PredictiveModel)
