"""leads_qualify moves the leads meeting the MQL definition in force to mql, set-based; the
apply task brings every lead under a version that came into force."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accord.agreement.models import (
    Agreement,
    AgreementStatus,
    LeadPersona,
    ModelStatus,
    ScoringModel,
)
from accord.agreement.services import (
    fit_rule_create,
    leads_qualify,
    persona_create,
    scoring_model_create,
)
from accord.agreement.tasks import agreement_apply_task
from accord.campaigns.models import Touch
from accord.funnel.models import Lead, StageChange, StageSource
from accord.funnel.services import lead_move
from accord.funnel.tests.factories import make_lead

pytestmark = pytest.mark.django_db

SCORE_60 = [[{"field": "score", "op": "at_least", "value": 60}]]


def in_force(version: int = 2, mql: Any = SCORE_60, model: ScoringModel | None = None) -> Agreement:
    return Agreement.objects.create(
        version=version,
        title=f"v{version}",
        status=AgreementStatus.IN_FORCE,
        mql_definition=mql,
        scoring_model=model,
    )


def scored(score: int, **fields: Any) -> Lead:
    lead = make_lead(**fields)
    Lead.objects.filter(pk=lead.pk).update(score=score)
    lead.refresh_from_db()
    return lead


def test_leads_meeting_the_definition_become_mqls_naming_the_version():
    in_force()
    hot, cold = scored(75), scored(30)
    assert leads_qualify() == 1
    hot.refresh_from_db()
    cold.refresh_from_db()
    assert (hot.stage, cold.stage) == ("mql", "lead")
    change = StageChange.objects.filter(lead=hot).latest("id")
    assert (change.from_stage, change.to_stage, change.source, change.actor) == (
        "lead",
        "mql",
        StageSource.SYSTEM,
        None,
    )
    assert change.reason == "met the MQL definition of agreement v2"
    assert hot.stage_changed_at == change.at


def test_qualifying_twice_moves_no_lead_twice():
    in_force()
    scored(75)
    assert leads_qualify() == 1
    assert leads_qualify() == 0
    assert StageChange.objects.filter(to_stage="mql").count() == 1


def test_recycled_leads_qualify_again_on_new_activity_but_leads_further_on_stay(sales_rep):
    in_force()
    recycled, accepted, lost = scored(80), scored(80), scored(80)
    lead_move(lead=recycled, to_stage="recycled", by=sales_rep)
    lead_move(lead=accepted, to_stage="sal", by=sales_rep)
    lead_move(lead=lost, to_stage="disqualified", by=sales_rep)
    # Rejected by sales on what it had done so far: it stays recycled.
    assert leads_qualify() == 0
    Touch.objects.create(
        lead=recycled,
        kind="page_view",
        at=timezone.now() + timedelta(seconds=1),
        external_id="after-recycling",
    )
    assert leads_qualify() == 1
    stages = dict(Lead.objects.values_list("pk", "stage"))
    assert stages == {recycled.pk: "mql", accepted.pk: "sal", lost.pk: "disqualified"}
    change = StageChange.objects.filter(lead=recycled).latest("id")
    assert change.from_stage == "recycled"


def test_only_the_leads_asked_about_are_qualified():
    in_force()
    first, second = scored(90), scored(90)
    assert leads_qualify(lead_ids=[second.pk]) == 1
    assert dict(Lead.objects.values_list("pk", "stage")) == {first.pk: "lead", second.pk: "mql"}


def test_without_an_agreement_or_a_definition_no_lead_is_qualified():
    scored(100)
    assert leads_qualify() == 0
    in_force(mql=[])
    assert leads_qualify() == 0
    assert not Lead.objects.filter(stage="mql").exists()


def test_a_move_is_never_dated_before_the_leads_last_move():
    in_force()
    lead = scored(90)
    earlier = timezone.now() - timedelta(days=3)
    assert leads_qualify(at=earlier) == 1
    change = StageChange.objects.filter(lead=lead).latest("id")
    assert change.at == lead.stage_changed_at  # the creation, later than ``earlier``


@pytest.mark.parametrize("many", [5, 40])
def test_qualifying_is_set_based(many, django_assert_max_num_queries):
    in_force()
    for n in range(many):
        scored(60 + n % 40)
    with django_assert_max_num_queries(12):
        assert leads_qualify() == many


def leaders_model() -> ScoringModel:
    model = scoring_model_create(by=None, name="Leaders first")
    fit_rule_create(
        model=model,
        by=None,
        label="VP or Head",
        criteria=[{"field": "title", "op": "contains", "value": ["VP", "Head"]}],
        points=70,
    )
    return model


def test_the_apply_task_matches_scores_and_qualifies_every_lead(marketer):
    leader = persona_create(
        by=marketer,
        name="Leader",
        criteria=[{"field": "title", "op": "contains", "value": "VP"}],
    )
    vp, engineer = make_lead(title="VP Sales"), make_lead(title="Engineer")
    LeadPersona.objects.all().delete()
    model = leaders_model()
    agreement = in_force(model=model)
    model.status = ModelStatus.IN_FORCE
    model.save()

    assert agreement_apply_task.call(agreement.pk) == 1

    vp.refresh_from_db()
    engineer.refresh_from_db()
    assert (vp.score, vp.fit_score, vp.stage) == (70, 70, "mql")
    assert (engineer.score, engineer.stage) == (0, "lead")
    assert LeadPersona.objects.get(lead=vp).persona == leader
    assert not LeadPersona.objects.filter(lead=engineer).exists()
    # Safe to run twice.
    assert agreement_apply_task.call(agreement.pk) == 0


def test_the_apply_task_leaves_a_version_no_longer_in_force_alone():
    agreement = in_force(model=leaders_model())
    Agreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.ARCHIVED)
    lead = make_lead(title="VP Sales")
    assert agreement_apply_task.call(agreement.pk) == 0
    lead.refresh_from_db()
    assert (lead.score, lead.stage) == (0, "lead")
    assert agreement_apply_task.call(999_999) == 0
