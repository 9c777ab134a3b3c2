"""Every write of the scoring app."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import joblib
import sklearn
from django.db import transaction
from django.utils import timezone

from accord.agreement.selectors import agreement_in_force
from accord.errors import AccordError
from accord.funnel.models import Stage
from accord.scoring.engine import rescore_all
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


@dataclass(frozen=True)
class Applied:
    """What ``scoring_apply`` did."""

    agreement_version: int
    model_version: int
    personas_matched: int
    scores_changed: int
    qualified: int


def scoring_apply(*, by: User | None, at: datetime | None = None) -> Applied:
    """Bring every lead in line with the agreement in force: match personas, rescore every lead
    under its scoring model, and move the leads that meet its MQL definition to MQL.

    Three steps, each atomic on its own rather than one transaction around all: rescoring a
    million leads runs over several connections at once (see ``rescore_all``), and every step
    is idempotent, so running it again completes an interrupted run. ``by`` is who asked; the
    moves are the system's, naming the agreement version.
    """
    from accord.agreement.services import leads_qualify, personas_match_all

    agreement = agreement_in_force()
    if agreement is None:
        raise AccordError("no agreement is in force yet: there is no scoring model to apply")
    model = agreement.scoring_model
    if model is None:
        raise AccordError(f"agreement v{agreement.version} has no scoring model to apply")
    at = at or timezone.now()
    matched = personas_match_all(at=at)
    changed = rescore_all(model, at)
    qualified = leads_qualify(at=at)
    return Applied(
        agreement_version=agreement.version,
        model_version=model.version,
        personas_matched=matched,
        scores_changed=changed,
        qualified=qualified,
    )
