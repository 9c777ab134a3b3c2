from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from .factories import make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven_leads():
    now = timezone.now()
    return [make_lead(first_name=f"L{i}", created_at=now - timedelta(hours=i)) for i in range(7)]


def firsts(response: Any) -> list[str]:
    return [lead.first_name for lead in response.context["listing"].items]


def test_it_pages_forward_with_a_cursor_in_the_query_string(marketer_client, seven_leads):
    first = marketer_client.get("/leads/?per_page=3")
    assert firsts(first) == ["L0", "L1", "L2"]
    listing = first.context["listing"]
    assert "cursor=" in listing.next_url and "per_page=3" in listing.next_url
    assert not listing.prev_url
    second = marketer_client.get(listing.next_url)
    assert firsts(second) == ["L3", "L4", "L5"]
    third = marketer_client.get(second.context["listing"].next_url)
    assert firsts(third) == ["L6"]
    assert not third.context["listing"].next_url


def test_it_pages_back_to_the_previous_page_and_offers_the_first(marketer_client, seven_leads):
    second = marketer_client.get(
        marketer_client.get("/leads/?per_page=3").context["listing"].next_url
    )
    third = marketer_client.get(second.context["listing"].next_url)
    listing = third.context["listing"]
    assert listing.first_url == "/leads/?per_page=3"
    back = marketer_client.get(listing.prev_url)
    assert firsts(back) == ["L3", "L4", "L5"]
    assert firsts(marketer_client.get(back.context["listing"].next_url)) == ["L6"]
    first_again = marketer_client.get(back.context["listing"].prev_url)
    assert firsts(first_again) == ["L0", "L1", "L2"]
    assert not first_again.context["listing"].prev_url


def test_paging_keeps_the_filters(marketer_client, seven_leads):
    response = marketer_client.get("/leads/?per_page=2&q=L&stage=lead")
    next_url = response.context["listing"].next_url
    assert "q=L" in next_url and "stage=lead" in next_url


def test_the_pager_links_are_on_the_page(marketer_client, seven_leads):
    response = marketer_client.get("/leads/?per_page=3")
    assert b'data-testid="next-page"' in response.content
    assert b"Previous" not in response.content
