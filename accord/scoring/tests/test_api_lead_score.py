"""GET /leads/{id}/score: the stored score, every rule behind it under the model in force, and
the predictive suggested score."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accord.agreement.models import ModelStatus
from accord.campaigns.models import Touch
from accord.funnel.models import Lead
from accord.scoring.engine import lead_rescore
from accord.scoring.models import PredictiveModel
from accord.scoring.selectors import predict_scores
from accord.scoring.services import predictive_train
from accord.teams.services import token_create

from .backtest_history import build_model
from .history import build_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(sales_rep: Any) -> dict[str, str]:
    _, raw = token_create(user=sales_rep, name="tests")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def scored() -> Lead:
    """A VP (persona: +25 fit) who requested a demo (+40) and viewed pages, scored under the
    model in force."""
    from accord.agreement.services import personas_match_all

    model = build_model()
    model.status = ModelStatus.IN_FORCE
    model.save()
    lead = Lead.objects.create(email="vp@example.com", title="VP Sales")
    now = timezone.now()
    Touch.objects.create(lead=lead, kind="demo_request", at=now - timedelta(days=1))
    for days in (1, 2, 3, 4, 5, 6):
        Touch.objects.create(lead=lead, kind="page_view", at=now - timedelta(days=days))
    personas_match_all()
    lead_rescore(lead=lead, model=model)
    return lead


def test_it_explains_the_score_rule_by_rule(client, auth, scored):
    response = client.get(f"/api/v1/leads/{scored.pk}/score", headers=auth)

    assert response.status_code == 200
    body = response.json()
    assert (body["lead_id"], body["score"]) == (scored.pk, scored.score)
    explanation = body["explanation"]
    assert explanation["scoring_model"] == 1
    points = {c["label"]: c["points"] for c in explanation["contributions"]}
    assert points["Leader"] == 25 and points["Demo"] == 40
    assert 0 < points["Pages"] <= 24
    assert explanation["fit"] == 25
    assert explanation["total"] == sum(points.values())
    assert explanation["score"] == min(100, explanation["total"]) == body["score"]
    assert explanation["clamped"] == explanation["score"] - explanation["total"]
    assert {c["kind"] for c in explanation["contributions"]} == {"fit", "engagement"}
    assert body["suggested"] is None


def test_it_adds_the_predictive_suggested_score(client, auth):
    ids = build_history(leads=200, seed=41)
    model = predictive_train(by=None, target="sql", exclude=["sales_status"], seed=1)

    response = client.get(f"/api/v1/leads/{ids[0]}/score", headers=auth)

    assert response.status_code == 200
    body = response.json()
    assert body["explanation"] is None  # no scoring model in force
    suggested = body["suggested"]
    assert suggested["score"] == predict_scores([ids[0]])[ids[0]]
    assert (suggested["model_id"], suggested["target"]) == (model.pk, "sql")
    assert suggested["auc"] == pytest.approx(model.auc)
    assert suggested["error"] == ""


def test_a_model_from_another_scikit_learn_says_why_it_suggests_nothing(client, auth):
    ids = build_history(leads=200, seed=42)
    predictive_train(by=None, target="sql", exclude=["sales_status"], seed=1)
    PredictiveModel.objects.update(sklearn_version="0.1")

    response = client.get(f"/api/v1/leads/{ids[0]}/score", headers=auth)

    assert response.status_code == 200
    suggested = response.json()["suggested"]
    assert suggested["score"] is None
    assert "trained with scikit-learn 0.1" in suggested["error"]


def test_an_unknown_lead_is_404(client, auth):
    response = client.get("/api/v1/leads/999999/score", headers=auth)

    assert response.status_code == 404
    assert response.json() == {"detail": "no lead 999999", "errors": {}}


def test_a_lead_id_that_is_not_a_number_is_422(client, auth):
    response = client.get("/api/v1/leads/abc/score", headers=auth)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["lead_id"]


def test_it_needs_a_token_or_a_session(client, scored):
    response = client.get(f"/api/v1/leads/{scored.pk}/score")

    assert response.status_code == 401
