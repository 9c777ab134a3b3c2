"""Every write of the scoring app."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import joblib
import sklearn
from django.db import transaction
from django.utils import timezone

from accord.funnel.models import Stage
from accord.scoring.models import PredictiveModel
from accord.scoring.predictive.train import train
from accord.teams.models import User


def predictive_train(
    *,
    by: User | None,
    target: str,
    handoff: str = Stage.MQL,
    exclude: Sequence[str] = (),
    holdout: float = 0.3,
    seed: int = 0,
    cutoff: float | None = None,
    maturity_days: int = 90,
) -> PredictiveModel:
    """Train a predictive model for reaching ``target`` on the closed history and store it with
    its report. Raises AccordError when the history is too thin or an option makes no sense.

    The training only reads; the one write (the model row) is a short transaction at the end.
    """
    now = timezone.now()
    trained = train(
        target=target,
        handoff=handoff,
        exclude=list(exclude),
        holdout=holdout,
        seed=seed,
        cutoff=cutoff,
        maturity_days=maturity_days,
        now=now,
    )
    buffer = io.BytesIO()
    joblib.dump(trained.pipeline, buffer, compress=3)
    params: dict[str, Any] = {
        "target": target,
        "handoff": handoff,
        "exclude": list(exclude),
        "holdout": holdout,
        "seed": seed,
        "cutoff": cutoff,
        "maturity_days": maturity_days,
    }
    with transaction.atomic():
        model = PredictiveModel.objects.create(
            target=target,
            handoff_stage=handoff,
            algorithm=trained.algorithm,
            params=params,
            metrics=trained.report,
            features=[{"name": name, "kind": kind} for name, kind in trained.kinds.items()],
            warnings=trained.report["leakage_warnings"],
            auc=trained.report["auc"],
            outcomes=trained.report["population"]["outcomes"],
            sklearn_version=sklearn.__version__,
            pipeline=buffer.getvalue(),
            trained_by=by,
            created_at=now,
        )
    return model
