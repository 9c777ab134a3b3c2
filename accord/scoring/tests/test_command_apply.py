"""`accord scoring apply`: every lead matched, rescored under the model in force and qualified
under the MQL definition in force; the counts printed; safe to run twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accord.agreement.models import Agreement, AgreementStatus, LeadPersona, ModelStatus
from accord.campaigns.models import Touch
from accord.funnel.models import Lead, Stage, StageChange, StageSource
from accord.scoring.engine import lead_explain

from .backtest_history import build_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_force() -> Agreement:
    model = build_model()
    model.status = ModelStatus.IN_FORCE
    model.save()
    return Agreement.objects.create(
        version=3,
        title="In force",
        status=AgreementStatus.IN_FORCE,
        mql_definition=[[{"field": "score", "op": "at_least", "value": 60}]],
        scoring_model=model,
    )


def test_it_rescores_every_lead_and_moves_those_meeting_the_definition_to_mql(in_force, capsys):
    now = timezone.now()
    vp = Lead.objects.create(email="vp@example.com", title="VP Sales")
    Touch.objects.create(lead=vp, kind="demo_request", at=now - timedelta(days=2))
    analyst = Lead.objects.create(email="analyst@example.com", title="Analyst")
    Touch.objects.create(lead=analyst, kind="page_view", at=now - timedelta(days=1))
    customer = Lead.objects.create(email="c@example.com", title="VP", stage=Stage.CUSTOMER)
    Touch.objects.create(lead=customer, kind="demo_request", at=now - timedelta(days=3))

    call_command("scoring", "apply")

    out = capsys.readouterr().out
    assert out.splitlines() == [
        "Agreement v3, scoring model v1",
        "Personas matched: 2 leads",
        "Scores changed:   3 leads",
        "Moved to MQL:     1 lead",
    ]
    assert set(LeadPersona.objects.values_list("lead_id", flat=True)) == {vp.pk, customer.pk}
    for lead in (vp, analyst, customer):
        lead.refresh_from_db()
        explained = lead_explain(lead=lead, model=in_force.scoring_model)
        assert (lead.score, lead.fit_score, lead.engagement_score) == (
            explained.score,
            explained.fit,
            explained.engagement,
        )
    assert (vp.stage, analyst.stage, customer.stage) == (Stage.MQL, Stage.LEAD, Stage.CUSTOMER)
    move = StageChange.objects.get(lead=vp, to_stage=Stage.MQL)
    assert move.source == StageSource.SYSTEM
    assert move.reason == "met the MQL definition of agreement v3"


def test_running_it_twice_changes_nothing_more(in_force, capsys):
    lead = Lead.objects.create(email="vp@example.com", title="VP Sales")
    Touch.objects.create(lead=lead, kind="demo_request", at=timezone.now())
    call_command("scoring", "apply")
    capsys.readouterr()

    call_command("scoring", "apply")

    out = capsys.readouterr().out
    assert "Scores changed:   0 leads" in out
    assert "Moved to MQL:     0 leads" in out
    assert StageChange.objects.filter(lead=lead, to_stage=Stage.MQL).count() == 1


def test_with_nothing_in_force_it_is_a_one_line_error(db):
    with pytest.raises(CommandError, match=r"^no agreement is in force yet: there is no scoring"):
        call_command("scoring", "apply")


def test_an_agreement_without_a_scoring_model_is_a_one_line_error(in_force):
    Agreement.objects.filter(pk=in_force.pk).update(scoring_model=None)

    with pytest.raises(CommandError, match=r"^agreement v3 has no scoring model to apply$"):
        call_command("scoring", "apply")
