"""Scoring model pages: the versions, a model's rules, and rules added to drafts only."""

from __future__ import annotations

import pytest

from accord.agreement.models import EngagementRule, FitRule, ModelStatus
from accord.agreement.services import fit_rule_create, persona_create, scoring_model_create
from accord.agreement.signoff import agreement_propose, agreement_sign
from accord.teams.services import user_create

pytestmark = pytest.mark.django_db

# session + user, and the models with their rule counts.
SCORING_MODEL_LIST_QUERIES = 3


@pytest.fixture
def draft(marketing_head):
    model = scoring_model_create(by=marketing_head, name="Spring")
    fit_rule_create(
        model=model,
        by=marketing_head,
        label="Executives",
        criteria=[{"field": "title", "op": "contains", "value": ["VP", "Chief"]}],
        points=30,
    )
    return model


@pytest.fixture
def in_force(marketing_head):
    model = scoring_model_create(by=marketing_head)
    model.status = ModelStatus.IN_FORCE
    model.save()
    return model


def test_the_list_shows_every_version_with_its_status_and_rules(
    marketer_client, draft, in_force, django_assert_num_queries
):
    with django_assert_num_queries(SCORING_MODEL_LIST_QUERIES):
        response = marketer_client.get("/scoring-models/")
    content = response.content.decode()
    assert response.status_code == 200
    assert f"v{draft.version}" in content
    assert "Draft" in content
    assert "In force" in content


def test_the_in_force_address_opens_the_model_in_force(marketer_client, in_force):
    response = marketer_client.get("/scoring-models/in-force/")
    assert response["Location"] == f"/scoring-models/v{in_force.version}/"


def test_with_no_model_in_force_the_in_force_address_opens_the_list(marketer_client):
    assert marketer_client.get("/scoring-models/in-force/")["Location"] == "/scoring-models/"


def test_a_model_page_lists_its_rules_with_their_points(marketer_client, draft):
    response = marketer_client.get(f"/scoring-models/v{draft.version}/")
    content = response.content.decode()
    assert "Executives" in content
    assert "title contains VP, Chief" in content
    assert "+30" in content
    assert 'data-testid="fit-rule-form"' in content


def test_a_fit_rule_added_to_a_draft_may_name_a_persona(marketer_client, draft):
    buyer = persona_create(by=None, name="Economic buyer")
    response = marketer_client.post(
        f"/scoring-models/v{draft.version}/fit-rules/",
        {
            "fit-label": "Economic buyers",
            "fit-points": "-15",
            "fit-criteria": "persona in Economic buyer",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/scoring-models/v{draft.version}/#fit-rules"
    rule = FitRule.objects.get(label="Economic buyers")
    assert rule.points == -15
    assert rule.criteria == [{"field": "persona", "op": "in", "value": [buyer.pk]}]


def test_an_engagement_rule_added_to_a_draft_keeps_kinds_channels_and_words(marketer_client, draft):
    response = marketer_client.post(
        f"/scoring-models/v{draft.version}/engagement-rules/",
        {
            "engagement-label": "Demo requests",
            "engagement-points": "25",
            "engagement-cap": "50",
            "engagement-half_life_days": "30",
            "engagement-kinds": ["demo_request", "form_submit"],
            "engagement-channels": ["paid_search"],
            "engagement-content_contains": "pricing, demo",
        },
    )
    assert response.status_code == 302
    rule = EngagementRule.objects.get(label="Demo requests")
    assert (rule.points, rule.cap, rule.half_life_days) == (25, 50, 30.0)
    assert rule.kinds == ["demo_request", "form_submit"]
    assert rule.channels == ["paid_search"]
    assert rule.content_contains == ["pricing", "demo"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"fit-label": "Zero", "fit-points": "0", "fit-criteria": "title contains x"},
            "points",
            "not 0",
        ),
        ({"fit-label": "Nothing", "fit-points": "5", "fit-criteria": ""}, "criteria", "required"),
        (
            {"fit-label": "Who", "fit-points": "5", "fit-criteria": "persona in Nobody"},
            "criteria",
            "no persona named",
        ),
    ],
)
def test_a_bad_fit_rule_comes_back_with_the_fault_next_to_its_field(
    marketer_client, draft, data, field, message
):
    response = marketer_client.post(f"/scoring-models/v{draft.version}/fit-rules/", data)
    assert response.status_code == 400
    errors = " ".join(response.context["fit_form"].errors[field]).lower()
    assert message in errors
    assert draft.fit_rules.count() == 1


def test_a_model_in_force_shows_no_forms_and_refuses_new_rules(marketer_client, in_force):
    response = marketer_client.get(f"/scoring-models/v{in_force.version}/")
    assert 'data-testid="fit-rule-form"' not in response.content.decode()
    response = marketer_client.post(
        f"/scoring-models/v{in_force.version}/fit-rules/",
        {"fit-label": "Late", "fit-points": "5", "fit-criteria": "title contains CEO"},
    )
    assert response.status_code == 400
    assert "only drafts take rule changes" in " ".join(
        response.context["fit_form"].non_field_errors()
    )
    assert not in_force.fit_rules.exists()


def test_a_model_that_does_not_exist_answers_404(marketer_client):
    assert marketer_client.get("/scoring-models/v999/").status_code == 404


def test_a_get_on_a_rule_address_goes_back_to_the_model(marketer_client, draft):
    response = marketer_client.get(f"/scoring-models/v{draft.version}/fit-rules/")
    assert response["Location"] == f"/scoring-models/v{draft.version}/"


def test_a_rule_added_to_a_signed_proposals_model_withdraws_its_signatures(
    client, marketer, marketing_head
):
    proposal = agreement_propose(by=marketer, title="New rules")
    agreement_sign(agreement=proposal, by=marketing_head)
    model = proposal.scoring_model
    assert model is not None
    client.force_login(marketer)
    response = client.post(
        f"/scoring-models/v{model.version}/fit-rules/",
        {"fit-label": "Founders", "fit-points": "10", "fit-criteria": "title contains Founder"},
    )
    assert response.status_code == 302
    assert not proposal.signatures.exists()


def test_leadership_sees_the_rules_but_cannot_add_one(client, draft):
    ceo = user_create(username="ceo", team="leadership", role="head", password="Test-pass-123")
    client.force_login(ceo)
    page = client.get(f"/scoring-models/v{draft.version}/")
    assert "Executives" in page.content.decode()
    assert 'data-testid="fit-rule-form"' not in page.content.decode()
    response = client.post(
        f"/scoring-models/v{draft.version}/fit-rules/",
        {"fit-label": "Mine", "fit-points": "10", "fit-criteria": "title contains CEO"},
    )
    assert response.status_code == 403
    assert draft.fit_rules.count() == 1


def _trained_model() -> None:
    from accord.scoring.models import PredictiveModel

    PredictiveModel.objects.create(
        target="sql",
        handoff_stage="mql",
        algorithm="logistic_regression",
        metrics={
            "suggested_weights": [
                {"feature": "account.segment", "value": "enterprise", "points": 25},
                {"feature": "title", "value": "Student", "points": -18},
                {"feature": "source", "value": "webinar", "points": 0},
            ]
        },
        auc=0.81,
        outcomes=900,
        sklearn_version="1.0",
        pipeline=b"",
    )


def test_a_draft_offers_the_weights_the_predictive_model_suggests(marketer_client, draft):
    _trained_model()
    content = marketer_client.get(f"/scoring-models/v{draft.version}/").content.decode()
    assert "AUC 0.81" in content
    table = content.split('data-testid="suggested-weights"')[1].split("</tbody>")[0]
    rows = [" ".join(r.split()) for r in table.split("<tr>")[2:]]
    assert rows == [
        "<td>account.segment</td><td>enterprise</td> "
        '<td class="text-end fw-bold text-green">+25</td></tr>',
        '<td>title</td><td>Student</td> <td class="text-end fw-bold text-red">-18</td></tr>',
    ]  # strongest first; nothing to suggest at 0 points


def test_a_model_in_force_or_a_workspace_without_a_trained_model_offers_none(
    marketer_client, draft, in_force
):
    assert (
        "suggested-weights"
        not in marketer_client.get(f"/scoring-models/v{draft.version}/").content.decode()
    )
    _trained_model()
    assert (
        "suggested-weights"
        not in marketer_client.get(f"/scoring-models/v{in_force.version}/").content.decode()
    )
