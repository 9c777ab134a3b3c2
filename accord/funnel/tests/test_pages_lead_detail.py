from datetime import timedelta

import pytest
from django.utils import timezone

from accord.campaigns.services import campaign_create, touch_create
from accord.funnel.services import deal_win, lead_move, note_add, property_define

from .factories import make_account, make_deal, make_lead

pytestmark = pytest.mark.django_db


def test_it_shows_who_the_lead_is(marketer_client, sales_rep):
    property_define(entity="lead", label="Budget", type="number", by=None)
    property_define(entity="lead", label="Trial user", type="boolean", by=None)
    acme = make_account(name="Acme Corp")
    lead = make_lead(
        first_name="Anna",
        last_name="Berg",
        title="CTO",
        account=acme,
        owner=sales_rep,
        properties={"budget": 5000, "trial_user": True},
    )
    response = marketer_client.get(f"/leads/{lead.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    for text in ("Anna Berg", "CTO", "Acme Corp", "Rory Rep", "Budget", "5000", "Trial user"):
        assert text in content
    assert 'data-testid="stage-badge">Lead<' in content
    assert 'data-testid="scores"' in content


def test_it_answers_404_for_a_lead_that_does_not_exist(marketer_client):
    assert marketer_client.get("/leads/999999/").status_code == 404


def test_the_timeline_merges_touches_stage_changes_deals_and_notes_newest_first(
    marketer_client, marketer
):
    start = timezone.now() - timedelta(days=10)
    lead = make_lead(created_at=start)
    webinar = campaign_create(by=None, name="Spring webinar", channel="webinar")
    touch_create(by=None, lead=lead, kind="webinar", campaign=webinar, at=start + timedelta(days=1))
    lead_move(lead=lead, to_stage="mql", by=marketer, at=start + timedelta(days=2))
    make_deal(name="Big deal", primary_lead=lead, created_at=start + timedelta(days=3))
    note_add(lead=lead, by=marketer, body="Asked about pricing")
    response = marketer_client.get(f"/leads/{lead.pk}/")
    kinds = [item.kind for item in response.context["timeline"]]
    assert kinds[0] == "note"
    assert kinds.index("deal_opened") < kinds.index("touch")
    assert {"touch", "stage", "deal_opened", "note"} <= set(kinds)
    content = response.content.decode()
    assert "Spring webinar" in content
    assert "Deal opened: Big deal" in content
    assert "Asked about pricing" in content
    assert "ti ti-hand-click" in content


def test_it_offers_only_the_moves_the_stage_machine_allows(marketer_client, marketer):
    lead = make_lead()
    lead_move(lead=lead, to_stage="sql", by=marketer)
    response = marketer_client.get(f"/leads/{lead.pk}/")
    offered = [
        value for value, _ in response.context["move_form"].fields["to_stage"].widget.choices
    ]
    assert offered == ["opportunity", "customer", "recycled", "disqualified"]


def test_a_customer_has_no_move_left(marketer_client):
    lead = make_lead()
    deal = make_deal(primary_lead=lead)
    deal_win(deal=deal, by=None)
    response = marketer_client.get(f"/leads/{lead.pk}/")
    assert b'data-testid="move-form"' not in response.content
    assert b"the last stage of the funnel" in response.content


def test_it_lists_the_lead_s_deals_with_a_new_deal_button(marketer_client):
    lead = make_lead()
    make_deal(name="Platform licence", primary_lead=lead)
    response = marketer_client.get(f"/leads/{lead.pk}/")
    assert b"Platform licence" in response.content
    assert f'href="/deals/new/?lead={lead.pk}"'.encode() in response.content


def test_it_shows_the_stage_history(marketer_client, marketer):
    lead = make_lead()
    lead_move(lead=lead, to_stage="mql", by=marketer, reason="Downloaded the guide")
    response = marketer_client.get(f"/leads/{lead.pk}/")
    history = response.context["history"]
    assert [(c.from_stage, c.to_stage) for c in history] == [("lead", "mql"), ("", "lead")]
    assert b"Downloaded the guide" in response.content


def test_dates_are_shown_in_the_organisation_s_time_zone(client, marketer, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    client.force_login(marketer)
    lead = make_lead(
        created_at=timezone.now().replace(year=2025, month=1, day=31, hour=20, minute=0)
    )
    response = client.get(f"/leads/{lead.pk}/")
    # 20:00 UTC on 31 January is 05:00 on 1 February in Tokyo.
    assert b"1 Feb 2025, 05:00" in response.content
