"""Training can run as a background task."""

import pytest

from accord.scoring.models import PredictiveModel
from accord.scoring.tasks import train_predictive_model

from .history import build_history

pytestmark = pytest.mark.django_db


def test_the_task_trains_and_stores_a_model_for_the_person_who_asked(sales_head):
    build_history(leads=200, seed=61)

    result = train_predictive_model.enqueue(
        target="sql", user_id=sales_head.pk, exclude=["sales_status"], seed=5
    )

    model = PredictiveModel.objects.get()
    assert result.return_value == model.pk
    assert model.trained_by == sales_head
    assert model.params["seed"] == 5
