"""Reads of the scoring app: the stored predictive models and the scores they suggest."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import joblib
import numpy as np
import sklearn
from django.utils import timezone
from threadpoolctl import threadpool_limits

from accord.agreement.models import ModelStatus, ScoringModel
from accord.errors import AccordError
from accord.funnel.models import Lead
from accord.scoring.engine import Explanation, lead_explain
from accord.scoring.models import PredictiveModel, PredictiveModelQuerySet
from accord.scoring.predictive.features import read_features, typed
from accord.scoring.predictive.outcomes import live_cutoffs
from accord.scoring.predictive.report import score

CHUNK = 5_000


def predictive_models() -> PredictiveModelQuerySet:
    """Every stored model, newest first, without the heavy pipeline column."""
    return PredictiveModel.objects.without_pipeline().latest_first()


def latest_model(*, target: str | None = None) -> PredictiveModel | None:
    """The model ``predict_scores`` uses: the newest, or the newest for ``target``."""
    models = PredictiveModel.objects.latest_first()
    if target:
        models = models.filter(target=target)
    return models.first()


def load_pipeline(model: PredictiveModel) -> Any:
    """The fitted pipeline of a stored model. Only rows Accord wrote are ever loaded."""
    if model.sklearn_version != sklearn.__version__:
        raise AccordError(
            f"the predictive model was trained with scikit-learn {model.sklearn_version} and "
            f"this installation has {sklearn.__version__}: train it again with "
            "`accord scoring train`"
        )
    return joblib.load(io.BytesIO(bytes(model.pipeline)))


def predict_scores(
    leads: Iterable[Lead | int],
    *,
    model: PredictiveModel | None = None,
    now: datetime | None = None,
) -> dict[int, int]:
    """The 0-100 suggested score of each lead (by id) from ``model`` or the latest model.

    Empty when no model has been trained yet. Features are read as the model learnt them: as of
    the lead's hand-off when it has been handed off, else as of now.
    """
    model = model or latest_model()
    if model is None:
        return {}
    ids = sorted({lead if isinstance(lead, int) else lead.pk for lead in leads})
    if not ids:
        return {}
    pipeline = load_pipeline(model)
    kinds = {f["name"]: f["kind"] for f in model.features}
    now = now or timezone.now()
    scores: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        cutoffs = live_cutoffs(lead_ids=chunk, handoff=model.handoff_stage, now=now)
        raw = read_features(np.array(chunk, dtype="int64"), cutoffs).reindex(chunk)
        frame = typed(raw, kinds, cutoffs)
        with warnings.catch_warnings(), threadpool_limits(limits=1):
            warnings.filterwarnings("ignore", message="Found unknown categories")
            probabilities = pipeline.predict_proba(frame)[:, 1]
        scores.update(zip(chunk, (int(s) for s in score(probabilities)), strict=True))
    return scores


@dataclass(frozen=True)
class LeadScore:
    """How a lead's score comes about under the scoring model in force (``explanation``, None
    before any model is in force), and the score the latest predictive model suggests
    (``suggested``, None without a model; ``suggestion_error`` says why when it failed)."""

    lead: Lead
    model: ScoringModel | None
    explanation: Explanation | None
    predictive: PredictiveModel | None
    suggested: int | None
    suggestion_error: str = ""


def lead_score(lead: Lead, *, at: datetime | None = None) -> LeadScore:
    """The rule score's explanation and the predictive suggested score of one lead."""
    model = ScoringModel.objects.filter(status=ModelStatus.IN_FORCE).first()
    explanation = lead_explain(lead=lead, model=model, at=at) if model is not None else None
    predictive = latest_model()
    suggested, error = None, ""
    if predictive is not None:
        try:
            suggested = predict_scores([lead.pk], model=predictive).get(lead.pk)
        except AccordError as exc:
            error = exc.message
    return LeadScore(
        lead=lead,
        model=model,
        explanation=explanation,
        predictive=predictive,
        suggested=suggested,
        suggestion_error=error,
    )


@dataclass(frozen=True)
class WeightSuggestions:
    """The rule weights the newest predictive model suggests for the next scoring model."""

    model: PredictiveModel
    weights: list[dict[str, Any]]


def weight_suggestions(*, limit: int = 12) -> WeightSuggestions | None:
    """The ``limit`` strongest suggested weights (points ≠ 0) of the newest predictive model,
    strongest first; None before a model is trained. Reads the stored report only."""
    model = predictive_models().first()
    if model is None:
        return None
    weights = [w for w in model.metrics.get("suggested_weights", []) if w.get("points")]
    weights.sort(key=lambda w: (-abs(w["points"]), w["feature"], str(w["value"])))
    return WeightSuggestions(model=model, weights=weights[:limit])
