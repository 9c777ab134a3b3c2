from datetime import date
from decimal import Decimal

import pytest

from accord.campaigns.models import Campaign
from accord.campaigns.services import campaign_create, touch_create
from accord.funnel.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def test_the_campaign_list_filters_by_channel_and_team(marketer_client):
    campaign_create(by=None, name="Spring webinar", channel="webinar")
    campaign_create(by=None, name="Search ads", channel="paid_search")
    campaign_create(by=None, name="Sales webinar", channel="webinar", owner_team="sales")
    response = marketer_client.get("/campaigns/?channel=webinar&owner_team=marketing")
    assert [c.name for c in response.context["listing"].items] == ["Spring webinar"]


def test_a_bad_channel_filter_is_explained(marketer_client):
    response = marketer_client.get("/campaigns/?channel=telepathy")
    assert response.status_code == 200
    assert b"Unknown channel" in response.content


def test_the_campaign_list_has_an_empty_state(marketer_client):
    response = marketer_client.get("/campaigns/")
    assert b"No campaigns yet" in response.content
    assert b'href="/campaigns/new/"' in response.content


@pytest.mark.parametrize("size", [5, 50])
def test_the_campaign_list_runs_a_fixed_number_of_queries(
    marketer_client, django_assert_num_queries, size
):
    for i in range(55):
        campaign_create(by=None, name=f"Campaign {i}", channel="email")
    # session + user + the page of campaigns
    with django_assert_num_queries(3):
        response = marketer_client.get(f"/campaigns/?per_page={size}")
    assert len(response.context["listing"].items) == size


def test_a_marketer_creates_a_campaign(marketer_client):
    response = marketer_client.post(
        "/campaigns/new/",
        {
            "name": "Autumn summit",
            "channel": "events",
            "owner_team": "marketing",
            "starts_on": "2025-09-01",
            "ends_on": "2025-09-03",
            "cost": "15000",
        },
    )
    campaign = Campaign.objects.get()
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    assert (campaign.cost, campaign.starts_on) == (Decimal("15000"), date(2025, 9, 1))


def test_a_campaign_that_ends_before_it_starts_is_refused_next_to_the_end(marketer_client):
    response = marketer_client.post(
        "/campaigns/new/",
        {
            "name": "Backwards",
            "channel": "email",
            "owner_team": "marketing",
            "starts_on": "2025-09-03",
            "ends_on": "2025-09-01",
            "cost": "0",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["ends_on"] == ["A campaign cannot end before it starts"]


def test_a_taken_name_is_refused(marketer_client):
    campaign_create(by=None, name="Newsletter", channel="email")
    response = marketer_client.post(
        "/campaigns/new/",
        {"name": "Newsletter", "channel": "email", "owner_team": "marketing", "cost": "0"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["name"]


def test_a_marketer_edits_a_campaign(marketer_client):
    campaign = campaign_create(by=None, name="Newsletter", channel="email")
    response = marketer_client.post(
        f"/campaigns/{campaign.pk}/edit/",
        {
            "name": "Monthly newsletter",
            "channel": "email",
            "owner_team": "marketing",
            "cost": "250",
        },
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.cost) == ("Monthly newsletter", Decimal("250"))


def test_the_campaign_page_shows_its_touches_and_cost_per_lead(marketer_client):
    campaign = campaign_create(by=None, name="Spring webinar", channel="webinar", cost=1000)
    anna, ben = make_lead(first_name="Anna"), make_lead(first_name="Ben")
    for lead in (anna, anna, ben):
        touch_create(by=None, lead=lead, kind="webinar", campaign=campaign)
    response = marketer_client.get(f"/campaigns/{campaign.pk}/")
    assert response.context["summary"].touches == 3
    assert response.context["summary"].leads == 2
    content = response.content.decode()
    assert "$500" in content
    assert anna.name in content
