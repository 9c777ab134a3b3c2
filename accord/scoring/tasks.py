"""Background work of the scoring app: thin tasks that load by id and call a service."""

from __future__ import annotations

from django_tasks import task

from accord.scoring.services import predictive_train
from accord.teams.models import User


@task()
def train_predictive_model(
    *,
    target: str,
    user_id: int | None = None,
    handoff: str = "mql",
    exclude: list[str] | None = None,
    holdout: float = 0.3,
    seed: int = 0,
) -> int:
    """Train a predictive model in the background (the demo and a future page use this); the
    new model's id. Running it twice stores two identical models, the later one in use."""
    by = User.objects.filter(pk=user_id).first() if user_id else None
    model = predictive_train(
        by=by, target=target, handoff=handoff, exclude=exclude or [], holdout=holdout, seed=seed
    )
    return model.pk
