"""The training report's numbers hang together and the model is stored with them."""

import pytest

from accord.scoring.models import Algorithm, PredictiveModel
from accord.scoring.services import predictive_train

from .history import build_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained(marketing_head):
    build_history(leads=320, seed=5)
    return predictive_train(by=marketing_head, target="sql", exclude=["sales_status"], seed=3)


def test_it_stores_the_model_with_its_report(trained, marketing_head):
    stored = PredictiveModel.objects.get()
    assert stored == trained
    assert stored.target == "sql"
    assert stored.handoff_stage == "mql"
    assert stored.algorithm in Algorithm.values
    assert stored.trained_by == marketing_head
    assert stored.params["exclude"] == ["sales_status"]
    assert stored.params["seed"] == 3
    assert len(bytes(stored.pipeline)) > 0
    assert [f["name"] for f in stored.features] == stored.metrics["features"]
    assert stored.auc == stored.metrics["auc"]


def test_the_held_out_numbers_add_up(trained):
    report = trained.metrics
    assert report["n_train"] + report["n_test"] == report["population"]["outcomes"]
    assert report["n_test"] == pytest.approx(0.3 * report["population"]["outcomes"], abs=1)
    assert sum(d["leads"] for d in report["deciles"]) == report["n_test"]
    assert [d["decile"] for d in report["deciles"]] == list(range(1, 11))
    assert sum(b["leads"] for b in report["calibration"]["bins"]) == report["n_test"]
    assert 0 <= report["calibration"]["brier"] <= 1
    assert 0 < report["cutoff"] < 1
    assert report["cutoff_rule"] == "youden"
    assert 0 <= report["sensitivity"] <= 1
    assert 0 <= report["specificity"] <= 1
    assert set(report["cv_auc"]) == set(Algorithm.values)
    assert report["model"] == max(report["cv_auc"], key=lambda a: report["cv_auc"][a]["mean"])


def test_it_learns_the_signal_and_reads_it_back_per_feature(trained):
    report = trained.metrics
    assert report["auc"] > 0.6
    # The top decile converts better than the bottom one.
    assert report["deciles"][0]["rate"] > report["deciles"][-1]["rate"]
    top = [f["feature"] for f in report["top_features"]]
    assert "title_seniority" in top[:5] or "title" in top[:5]
    assert all(not f["feature"].startswith("touches.kind.call") for f in report["top_features"])
    assert report["suggested_weights"]
    strongest = report["suggested_weights"][0]
    assert abs(strongest["points"]) == 25
    assert {"feature", "value", "points", "coefficient"} <= set(strongest)


def test_an_explicit_cutoff_is_used_as_given(marketer):
    build_history(leads=200, seed=8)
    model = predictive_train(by=marketer, target="sql", exclude=["sales_status"], cutoff=0.5)
    assert model.metrics["cutoff"] == 0.5
    assert model.metrics["cutoff_rule"] == "given"
    assert model.metrics["cutoff_score"] == 50
