"""The demo's agreement: personas and a lead score that fit its history, a signed version in
force, marketing's proposal awaiting sales, and a predictive model trained in the background."""

from datetime import timedelta
from statistics import mean

import pytest

from accord.agreement.audit import object_type
from accord.agreement.definitions import leads_meeting
from accord.agreement.models import (
    Agreement,
    AuditEntry,
    LeadPersona,
    ModelStatus,
    Persona,
    ReviewReminder,
    ScoringModel,
)
from accord.agreement.selectors import agreement_diff, agreement_in_force, proposals_open
from accord.agreement.services import agreement_apply, persona_create, persona_match
from accord.demo.agreement import PERSONAS
from accord.demo.generator import DemoSummary, demo_build
from accord.demo.tests.helpers import NOW
from accord.funnel.models import Lead, Stage, StageChange
from accord.scoring.backtest import backtest_compare
from accord.scoring.engine import lead_explain
from accord.scoring.models import PredictiveModel
from accord.teams.models import Role, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def built() -> DemoSummary:
    return demo_build(size="tiny", seed=7, now=NOW)


def test_an_agreement_signed_by_both_heads_in_the_past_is_in_force(built):
    agreement = agreement_in_force()
    assert agreement is not None and agreement.version == built.agreement_version == 1
    signatures = {s.team: s for s in agreement.signatures.select_related("signed_by")}
    assert set(signatures) == {Team.MARKETING, Team.SALES}
    for team, signature in signatures.items():
        assert (signature.signed_by.team, signature.signed_by.role) == (team, Role.HEAD)
        assert signature.signed_at < NOW - timedelta(days=300)
    assert agreement.in_force_at == max(s.signed_at for s in signatures.values())
    assert agreement.mql_definition and agreement.sql_definition
    assert agreement.personas.count() == len(PERSONAS) == built.personas
    assert len(agreement.persona_snapshot) == len(PERSONAS)
    model = agreement.scoring_model
    assert model is not None and model.status == ModelStatus.IN_FORCE
    assert model.fit_rules.filter(points__lt=0).exists()
    assert model.engagement_rules.exclude(half_life_days=None).exists()


def test_marketing_has_signed_a_proposal_that_awaits_sales(built):
    proposal = proposals_open().get()
    assert proposal.version == built.proposal_version == 2
    assert proposal.based_on == agreement_in_force()
    assert proposal.proposed_by is not None and proposal.proposed_by.team == Team.MARKETING
    assert [(s.team, s.signed_by.username) for s in proposal.signatures.all()] == [
        (Team.MARKETING, "maya")
    ]
    assert proposal.comments.filter(author__team=Team.SALES).exists()
    changed = {change.label for change in agreement_diff(proposal, proposal.based_on)}
    assert "MQL definition" in changed
    assert any("comparison" in label.lower() for label in changed)
    assert proposal.scoring_model is not None
    assert proposal.scoring_model.status == ModelStatus.DRAFT


def test_the_backtest_shows_the_proposal_making_fewer_but_better_mqls(built):
    result = backtest_compare(proposal=proposals_open().get(), months=12, now=NOW)
    proposed, in_force = result["proposed"], result["in_force"]
    assert proposed is not None and in_force is not None
    assert 0 < proposed.total.mqls < in_force.total.mqls
    assert proposed.total.sal / proposed.total.mqls > in_force.total.sal / in_force.total.mqls


def test_the_story_happened_in_order_and_before_now(built):
    v1, v2 = Agreement.objects.order_by("version")
    trail = list(AuditEntry.objects.order_by("at", "id").values_list("at", "action"))
    assert trail and all(at <= NOW for at, _ in trail)
    actions_v1 = [
        action
        for action in AuditEntry.objects.filter(
            object_type=object_type(Agreement), object_id=str(v1.pk)
        )
        .order_by("at", "id")
        .values_list("action", flat=True)
        if action != "remind"
    ]
    assert actions_v1[0] == "propose"
    assert actions_v1.index("sign") < actions_v1.index("in_force")
    assert v1.in_force_at is not None
    assert v1.created_at < v1.in_force_at < v2.created_at < NOW
    assert all(c.created_at < NOW for c in v2.comments.all())


def test_the_yearly_review_is_due_and_its_reminder_is_raised(built):
    agreement = agreement_in_force()
    assert agreement is not None and agreement.review_date is not None
    assert NOW.date() <= agreement.review_date <= NOW.date() + timedelta(days=14)
    reminder = ReviewReminder.objects.get(agreement=agreement)
    assert reminder.raised_at == NOW


def test_every_lead_holds_its_score_and_persona_under_the_agreement(built):
    model = ScoringModel.objects.get(status=ModelStatus.IN_FORCE)
    leads = list(Lead.objects.order_by("pk")[::17])
    for lead in leads:
        explanation = lead_explain(lead=lead, model=model, at=NOW)
        assert (lead.score, lead.fit_score, lead.engagement_score) == (
            explanation.score,
            explanation.fit,
            explanation.engagement,
        )
        stored = LeadPersona.objects.filter(lead=lead).values_list("persona", flat=True).first()
        matched = persona_match(lead=lead, at=NOW)
        assert stored == (matched.pk if matched else None)


def test_every_persona_recognises_leads_and_many_leads_have_none(built):
    counts = {p.name: p.matches.count() for p in Persona.objects.all()}
    assert all(counts.values()), counts
    share = sum(counts.values()) / Lead.objects.count()
    assert 0.35 < share < 0.8


def test_leads_that_converted_fit_better_than_leads_that_never_qualified(built):
    converted = set(
        StageChange.objects.filter(to_stage__in=[Stage.SQL, Stage.OPPORTUNITY]).values_list(
            "lead_id", flat=True
        )
    )
    qualified = set(
        StageChange.objects.filter(to_stage=Stage.MQL).values_list("lead_id", flat=True)
    )
    fits = dict(Lead.objects.values_list("pk", "fit_score"))
    never = [fit for pk, fit in fits.items() if pk not in qualified]
    assert converted and never
    assert mean(fits[pk] for pk in converted) > mean(never) + 5
    scores = sorted(Lead.objects.values_list("score", flat=True))
    assert scores[len(scores) * 9 // 10] - scores[len(scores) // 10] >= 20


def test_the_workspace_already_is_what_the_agreement_makes_it(built):
    # The worker applies the version once it is committed; as of the demo's now, that changes
    # nothing: every lead meeting the MQL definition has been qualified, scores are current.
    agreement = agreement_in_force()
    assert agreement is not None
    scores = list(Lead.objects.order_by("pk").values_list("score", "fit_score", "stage"))
    waiting = leads_meeting(agreement.mql_definition, at=NOW) & set(
        Lead.objects.filter(stage__in=[Stage.LEAD, Stage.RECYCLED]).values_list("pk", flat=True)
    )
    assert waiting == set()
    assert agreement_apply(agreement=agreement, at=NOW) == 0
    assert list(Lead.objects.order_by("pk").values_list("score", "fit_score", "stage")) == scores
    today = StageChange.objects.filter(
        at=NOW, reason=f"met the MQL definition of agreement v{agreement.version}"
    )
    assert today.count() == built.qualified


def test_a_database_with_its_own_personas_keeps_them_and_gets_no_demo_agreement():
    persona_create(by=None, name="Our own buyer", criteria=[])
    summary = demo_build(size="tiny", seed=7, now=NOW)
    assert list(Persona.objects.values_list("name", flat=True)) == ["Our own buyer"]
    assert not Agreement.objects.exists()
    assert (summary.agreement_version, summary.proposal_version) == (0, 0)


def test_a_public_size_trains_a_predictive_model_once_the_workspace_is_committed(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        summary = demo_build(size="small", seed=7, now=NOW)
    assert summary.training_enqueued
    model = PredictiveModel.objects.get()
    assert model.target == Stage.SQL
    assert model.auc > 0.6
    assert model.trained_by is not None and model.trained_by.username == "owen"


def test_tiny_trains_nothing_it_could_not_learn_from(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        summary = demo_build(size="tiny", seed=7, now=NOW)
    assert not summary.training_enqueued
    assert not PredictiveModel.objects.exists()
