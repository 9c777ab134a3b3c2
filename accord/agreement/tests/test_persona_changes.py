"""Who may change personas, and every lead matched again once a persona changes."""

from typing import Any

import pytest

from accord.agreement.models import LeadPersona
from accord.agreement.services import persona_create, persona_update
from accord.errors import NotAllowed
from accord.funnel.tests.factories import make_lead
from accord.teams.services import user_create

pytestmark = pytest.mark.django_db

VP = [{"field": "title", "op": "contains", "value": "VP"}]
CFO = [{"field": "title", "op": "contains", "value": "CFO"}]


def test_people_outside_marketing_and_sales_cannot_change_personas(marketing_head: Any) -> None:
    leader = user_create(username="lena", team="leadership", role="head", password="x-Pass-123")
    with pytest.raises(NotAllowed):
        persona_create(by=leader, name="Leaders", criteria=VP)
    persona = persona_create(by=marketing_head, name="Leaders", criteria=VP)
    with pytest.raises(NotAllowed):
        persona_update(persona=persona, by=leader, name="Bosses")


def test_a_rep_and_a_marketer_can_change_personas(marketer: Any, sales_rep: Any) -> None:
    persona = persona_create(by=marketer, name="Leaders", criteria=VP)
    persona_update(persona=persona, by=sales_rep, pains="Too many spreadsheets")
    persona.refresh_from_db()
    assert persona.pains == "Too many spreadsheets"


def test_every_lead_is_matched_again_once_a_persona_changes(
    marketer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    vp, cfo = make_lead(title="VP Sales"), make_lead(title="CFO")
    with django_capture_on_commit_callbacks(execute=True):
        persona = persona_create(by=marketer, name="Leaders", criteria=VP)
    assert dict(LeadPersona.objects.values_list("lead_id", "persona_id")) == {vp.pk: persona.pk}

    with django_capture_on_commit_callbacks(execute=True):
        persona_update(persona=persona, by=marketer, criteria=CFO)
    assert dict(LeadPersona.objects.values_list("lead_id", "persona_id")) == {cfo.pk: persona.pk}


def test_a_change_to_the_texts_alone_matches_nobody_again(
    marketer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    persona = persona_create(by=marketer, name="Leaders", criteria=VP)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        persona_update(persona=persona, by=marketer, messaging="Numbers both teams trust")
    assert callbacks == []
