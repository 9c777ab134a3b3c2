"""The scoring endpoints: the backtest of an agreement version, and one lead's score with its
explanation and the predictive suggested score."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router

from accord.agreement.models import Agreement
from accord.agreement.selectors import agreement_in_force
from accord.errors import AccordError
from accord.funnel.models import Lead
from accord.scoring.backtest import BacktestResult, backtest_compare
from accord.scoring.schemas import BacktestCompareOut, BacktestQuery, LeadScoreOut
from accord.scoring.selectors import lead_score
from accord.teams.api import acting_user

router = Router()


def backtest_out(agreement: Agreement, result: BacktestResult) -> dict[str, Any]:
    return {"version": agreement.version, **result.as_dict()}


@router.get(
    "/scoring/backtest",
    response=BacktestCompareOut,
    summary="Replay the last months with a version's MQL definition and scoring model",
    description="How many MQLs the version would have produced each month and per account "
    "segment, and what share of them really reached SAL, SQL and customer, beside the version "
    "in force over the same months. Leads are evaluated at each month's end with their scores "
    "as of then; fields and personas as they are now.",
    tags=["scoring"],
)
def get_backtest(request: HttpRequest, params: Query[BacktestQuery]) -> dict[str, Any]:
    if params.agreement is None:
        agreement = agreement_in_force()
        if agreement is None:
            raise AccordError(
                "no agreement is in force yet: name a version with ?agreement=",
                fields={"agreement": ["required while no agreement is in force"]},
            )
    else:
        found = Agreement.objects.select_related("scoring_model").filter(version=params.agreement)
        agreement = found.first()
        if agreement is None:
            raise Http404(f"no agreement v{params.agreement}")
    results = backtest_compare(proposal=agreement, months=params.months)
    proposed, current = results["proposed"], results["in_force"]
    assert proposed is not None
    in_force = agreement_in_force() if current is not None else None
    return {
        "agreement": agreement.version,
        "months": params.months,
        "proposed": backtest_out(agreement, proposed),
        "in_force": backtest_out(in_force, current)
        if in_force is not None and current is not None
        else None,
    }


@router.get(
    "/leads/{lead_id}/score",
    response=LeadScoreOut,
    summary="A lead's score, every rule that gave it points, and the predictive suggested score",
    tags=["leads"],
)
def get_lead_score(request: HttpRequest, lead_id: int) -> dict[str, Any]:
    lead = Lead.objects.visible_to(acting_user(request)).filter(pk=lead_id).first()
    if lead is None:
        raise Http404(f"no lead {lead_id}")
    card = lead_score(lead)
    explanation = None
    if card.explanation is not None and card.model is not None:
        e = card.explanation
        explanation = {
            "scoring_model": card.model.version,
            "at": e.at,
            "score": e.score,
            "fit": e.fit,
            "engagement": e.engagement,
            "total": e.total,
            "clamped": e.clamped,
            "contributions": e.contributions,
        }
    suggested = None
    if card.predictive is not None:
        p = card.predictive
        suggested = {
            "score": card.suggested,
            "model_id": p.pk,
            "target": p.target,
            "algorithm": p.algorithm,
            "auc": p.auc,
            "trained_at": p.created_at,
            "error": card.suggestion_error,
        }
    return {
        "lead_id": lead.pk,
        "score": lead.score,
        "fit": lead.fit_score,
        "engagement": lead.engagement_score,
        "explanation": explanation,
        "suggested": suggested,
    }
