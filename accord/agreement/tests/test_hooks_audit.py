"""Writes of personas and scoring models leave an audit entry: who, what, when, before/after."""

import pytest
from django.db.models import Model

from accord.agreement.models import AuditEntry
from accord.agreement.services import (
    engagement_rule_create,
    fit_rule_create,
    persona_create,
    persona_update,
    scoring_model_create,
)

pytestmark = pytest.mark.django_db

VP = [{"field": "title", "op": "contains", "value": ["VP"]}]


def entries_for(obj: Model) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type=obj._meta.model_name, object_id=str(obj.pk)).order_by(
            "id"
        )
    )


def test_creating_a_persona_is_audited_with_its_values(marketer):
    persona = persona_create(by=marketer, name="Leader", criteria=VP, pains="No pipeline")
    (entry,) = entries_for(persona)
    assert (entry.actor, entry.action, entry.summary) == (
        marketer,
        "create",
        "created persona Leader",
    )
    assert entry.after["criteria"] == VP
    assert entry.after["pains"] == "No pipeline"
    assert entry.before == {}


def test_changing_a_persona_audits_only_the_fields_that_changed(marketer, sales_head):
    persona = persona_create(by=marketer, name="Leader", criteria=VP, priority=10)
    persona_update(persona=persona, by=sales_head, priority=5, name="Leader")
    entry = entries_for(persona)[-1]
    assert (entry.actor, entry.action) == (sales_head, "update")
    assert (entry.before, entry.after) == ({"priority": 10}, {"priority": 5})
    assert entry.summary == "changed persona Leader: priority"


def test_an_update_that_changes_nothing_is_not_audited(marketer):
    persona = persona_create(by=marketer, name="Leader", criteria=VP)
    persona_update(persona=persona, by=marketer, name=" Leader ")
    assert [e.action for e in entries_for(persona)] == ["create"]


def test_scoring_models_and_their_rules_are_audited_under_the_model(marketing_head):
    model = scoring_model_create(by=marketing_head, name="Leaders first")
    fit = fit_rule_create(model=model, by=marketing_head, label="VP", criteria=VP, points=30)
    engagement = engagement_rule_create(
        model=model, by=marketing_head, label="Demo", points=40, cap=40, kinds=["demo_request"]
    )
    entries = entries_for(model)
    assert [e.action for e in entries] == ["create", "add_fit_rule", "add_engagement_rule"]
    assert all(e.actor == marketing_head for e in entries)
    assert entries[1].summary == f"added fit rule “VP” (+30) to scoring model v{model.version}"
    assert entries[1].after["fit_rule"]["id"] == fit.pk
    assert entries[2].after["engagement_rule"]["kinds"] == ["demo_request"]
    assert entries[2].after["engagement_rule"]["id"] == engagement.pk
