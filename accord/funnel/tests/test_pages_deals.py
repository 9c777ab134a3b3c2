from decimal import Decimal

import pytest

from accord.funnel.models import Deal, PipelineStage
from accord.funnel.services import deal_lose, lead_move, property_define

from .factories import make_account, make_deal, make_lead

pytestmark = pytest.mark.django_db


def test_the_deal_list_filters_by_status_and_pipeline_stage(rep_client):
    demo = PipelineStage.objects.get(name="Demo")
    make_deal(name="Open demo", pipeline_stage=demo)
    make_deal(name="Open discovery")
    lost = make_deal(name="Lost demo", pipeline_stage=demo)
    deal_lose(deal=lost, by=None, loss_reason="No budget")
    response = rep_client.get(f"/deals/?status=open&pipeline_stage={demo.pk}")
    assert [d.name for d in response.context["listing"].items] == ["Open demo"]


def test_the_deal_list_sorts_by_amount(rep_client):
    make_deal(name="Small", amount=100)
    make_deal(name="Big", amount=9000)
    response = rep_client.get("/deals/?sort=-amount")
    assert [d.name for d in response.context["listing"].items] == ["Big", "Small"]


def test_a_bad_status_filter_is_explained(rep_client):
    response = rep_client.get("/deals/?status=pending")
    assert b"Unknown status" in response.content


def test_the_new_deal_form_from_a_lead_preselects_the_lead_and_its_account(rep_client):
    acme = make_account(name="Acme")
    lead = make_lead(first_name="Anna", last_name="Berg", email="anna@acme.example", account=acme)
    response = rep_client.get(f"/deals/new/?lead={lead.pk}")
    form = response.context["form"]
    assert form.initial["primary_lead"] == lead.pk
    assert form.initial["account"] == acme.pk
    assert form.initial["name"] == "Acme: new deal"
    assert f'<option value="{lead.pk}" selected>Anna Berg &lt;anna@acme.example&gt;</option>' in (
        response.content.decode()
    )


def test_a_rep_opens_a_deal_for_a_lead_who_becomes_an_opportunity(rep_client, sales_rep):
    property_define(entity="deal", label="Seats", type="number", by=None)
    lead = make_lead()
    stage = PipelineStage.objects.get(name="Proposal")
    response = rep_client.post(
        f"/deals/new/?lead={lead.pk}",
        {
            "name": "Platform",
            "amount": "25000",
            "pipeline_stage": stage.pk,
            "primary_lead": lead.pk,
            "owner": sales_rep.pk,
            "prop_seats": "40",
        },
    )
    deal = Deal.objects.get()
    assert response["Location"] == f"/deals/{deal.pk}/"
    assert (deal.amount, deal.pipeline_stage, deal.owner) == (Decimal("25000"), stage, sales_rep)
    assert deal.properties == {"seats": 40}
    lead.refresh_from_db()
    assert lead.stage == "opportunity"


def test_a_negative_amount_is_refused_next_to_the_amount(rep_client):
    response = rep_client.post("/deals/new/", {"name": "Odd", "amount": "-5"})
    assert response.status_code == 400
    assert response.context["form"].errors["amount"]
    assert not Deal.objects.exists()


def test_winning_a_deal_makes_its_lead_a_customer(rep_client):
    lead = make_lead()
    deal = make_deal(primary_lead=lead)
    response = rep_client.post(f"/deals/{deal.pk}/win/")
    assert response["Location"] == f"/deals/{deal.pk}/"
    deal.refresh_from_db()
    lead.refresh_from_db()
    assert (deal.status, lead.stage) == ("won", "customer")
    page = rep_client.get(response["Location"])
    assert f"{lead.name} is a customer".encode() in page.content


def test_winning_a_closed_deal_says_why_not(rep_client):
    deal = make_deal()
    deal_lose(deal=deal, by=None, loss_reason="Went quiet")
    response = rep_client.post(f"/deals/{deal.pk}/win/", follow=True)
    assert b"The deal is already lost" in response.content


def test_losing_a_deal_needs_a_reason(rep_client):
    deal = make_deal()
    response = rep_client.post(f"/deals/{deal.pk}/lose/", {"loss_reason": ""})
    assert response.status_code == 400
    assert response.context["lose_form"].errors["loss_reason"]
    assert b'data-open="1"' in response.content
    deal.refresh_from_db()
    assert deal.status == "open"


def test_a_rep_loses_and_reopens_a_deal(rep_client):
    deal = make_deal()
    rep_client.post(f"/deals/{deal.pk}/lose/", {"loss_reason": "Chose a competitor"})
    deal.refresh_from_db()
    assert (deal.status, deal.loss_reason) == ("lost", "Chose a competitor")
    assert b'data-testid="reopen"' in rep_client.get(f"/deals/{deal.pk}/").content
    rep_client.post(f"/deals/{deal.pk}/reopen/")
    deal.refresh_from_db()
    assert (deal.status, deal.loss_reason) == ("open", "")


def test_a_rep_moves_a_deal_to_another_pipeline_stage(rep_client):
    deal = make_deal()
    negotiation = PipelineStage.objects.get(name="Negotiation")
    response = rep_client.post(f"/deals/{deal.pk}/stage/", {"pipeline_stage": negotiation.pk})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.pipeline_stage == negotiation


def test_the_deal_page_shows_its_fields_and_linked_leads(rep_client):
    lead = make_lead(first_name="Anna", last_name="Berg")
    deal = make_deal(name="Platform", amount=12345, primary_lead=lead)
    content = rep_client.get(f"/deals/{deal.pk}/").content.decode()
    assert "Platform" in content and "$12,345" in content and "Anna Berg" in content
    assert 'data-bs-target="#win-modal"' in content and 'data-bs-target="#lose-modal"' in content


def test_a_rep_edits_a_deal_without_touching_the_lead_s_stage(rep_client, marketer):
    lead = make_lead()
    deal = make_deal(primary_lead=lead, amount=100)
    lead_move(lead=lead, to_stage="recycled", by=marketer)
    response = rep_client.post(
        f"/deals/{deal.pk}/edit/",
        {
            "name": deal.name,
            "amount": "200",
            "pipeline_stage": deal.pipeline_stage_id,
            "primary_lead": lead.pk,
        },
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    lead.refresh_from_db()
    assert deal.amount == Decimal("200")
    assert lead.stage == "recycled"


def test_the_lead_picker_finds_leads(rep_client):
    make_lead(first_name="Zoe", last_name="Quinn")
    make_lead(first_name="Other")
    content = rep_client.get("/leads/options/?q=quinn").content.decode()
    assert "Zoe Quinn" in content and "Other" not in content
