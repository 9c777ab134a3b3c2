from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accord.funnel.models import Lead, Segment
from accord.funnel.services import lead_move, property_define

from .factories import make_account, make_lead

pytestmark = pytest.mark.django_db


def names(response: Any) -> list[str]:
    return [lead.name for lead in response.context["listing"].items]


def test_it_sends_an_outsider_to_the_login_page(outsider_client):
    response = outsider_client.get("/leads/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_lists_leads_newest_first(marketer_client):
    make_lead(first_name="Old", last_name="One", created_at=timezone.now() - timedelta(days=3))
    make_lead(first_name="New", last_name="One")
    response = marketer_client.get("/leads/")
    assert response.status_code == 200
    assert names(response) == ["New One", "Old One"]
    assert b'id="filters"' in response.content


def test_it_shows_an_empty_state_with_a_call_to_action(marketer_client):
    response = marketer_client.get("/leads/")
    assert b"No leads yet" in response.content
    assert b'href="/leads/new/"' in response.content


def test_it_says_when_no_lead_matches_the_filters(marketer_client):
    make_lead(first_name="Anna")
    response = marketer_client.get("/leads/?q=nobody-like-this")
    assert b"No leads match these filters" in response.content


def test_it_searches_by_name_email_and_company(marketer_client):
    acme = make_account(name="Acme Corp")
    make_lead(first_name="Anna", last_name="Berg", account=acme)
    make_lead(first_name="Carl", last_name="Dorn", email="carl@dorn.example")
    assert names(marketer_client.get("/leads/?q=acme")) == ["Anna Berg"]
    assert names(marketer_client.get("/leads/?q=dorn.example")) == ["Carl Dorn"]


def test_it_filters_by_several_stages_at_once(marketer_client, marketer):
    make_lead(first_name="Still", last_name="Lead")
    mql = make_lead(first_name="Now", last_name="Mql")
    lead_move(lead=mql, to_stage="mql", by=marketer)
    sql = make_lead(first_name="Now", last_name="Sql")
    lead_move(lead=sql, to_stage="sql", by=marketer)
    response = marketer_client.get("/leads/?stage=mql&stage=sql&sort=last_name")
    assert names(response) == ["Now Mql", "Now Sql"]


def test_it_filters_by_owner_segment_source_and_score(marketer_client, sales_rep):
    big = make_account(segment=Segment.ENTERPRISE)
    wanted = make_lead(first_name="Wanted", owner=sales_rep, account=big, source="Webinar")
    Lead.objects.filter(pk=wanted.pk).update(score=80)
    make_lead(first_name="Other", owner=sales_rep, source="Webinar")
    query = f"owner={sales_rep.pk}&segment=enterprise&source=Webinar&score_min=50"
    assert [
        lead.pk for lead in marketer_client.get(f"/leads/?{query}").context["listing"].items
    ] == [wanted.pk]


def test_it_filters_by_creation_date(marketer_client):
    make_lead(first_name="January", created_at=timezone.now().replace(year=2024, month=1, day=15))
    make_lead(first_name="March", created_at=timezone.now().replace(year=2024, month=3, day=15))
    response = marketer_client.get("/leads/?created_after=2024-02-01&created_before=2024-04-01")
    assert [lead.first_name for lead in response.context["listing"].items] == ["March"]


def test_it_filters_by_a_declared_custom_property(marketer_client):
    property_define(entity="lead", label="Budget", type="number", by=None)
    make_lead(first_name="Rich", properties={"budget": 90000})
    make_lead(first_name="Poor", properties={"budget": 500})
    response = marketer_client.get("/leads/?prop.budget__gte=10000")
    assert [lead.first_name for lead in response.context["listing"].items] == ["Rich"]
    assert b'name="prop.budget__gte"' in response.content


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("stage=hot", b"unknown stage"),
        ("score_min=lots", "“score at least” must be a whole number".encode()),
        ("created_after=yesterday", b"is not a date"),
        ("prop.shoe_size=42", b"unknown property"),
        ("sort=colour", b"cannot sort by"),
        ("cursor=garbage", b"invalid cursor"),
    ],
)
def test_it_explains_a_bad_filter_instead_of_failing(marketer_client, query, message):
    make_lead()
    response = marketer_client.get(f"/leads/?{query}")
    assert response.status_code == 200
    assert b'data-testid="filter-error"' in response.content
    assert message in response.content.lower()


def test_it_sorts_by_a_column_and_the_header_toggles_the_direction(marketer_client):
    for score, name in ((10, "Low"), (90, "High"), (50, "Mid")):
        lead = make_lead(first_name=name)
        Lead.objects.filter(pk=lead.pk).update(score=score)
    response = marketer_client.get("/leads/?sort=-score")
    assert [lead.first_name for lead in response.context["listing"].items] == ["High", "Mid", "Low"]
    header = response.context["listing"].headers["score"]
    assert header.active and header.descending
    assert "sort=score" in header.url
    ascending = marketer_client.get(header.url)
    assert [lead.first_name for lead in ascending.context["listing"].items] == [
        "Low",
        "Mid",
        "High",
    ]
