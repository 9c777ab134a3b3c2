from datetime import timedelta

import pytest
from django.utils import timezone

from accord.campaigns.services import campaign_create, touch_create
from accord.funnel.services import lead_move, note_add
from conftest import browser_login

from .factories import make_lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_opens_a_lead_from_the_list_and_reads_its_timeline(page, marketer, sales_rep):
    start = timezone.now() - timedelta(days=5)
    lead = make_lead(first_name="Anna", last_name="Berg", created_at=start)
    webinar = campaign_create(by=None, name="Spring webinar", channel="webinar")
    touch_create(by=None, lead=lead, kind="webinar", campaign=webinar, at=start + timedelta(days=1))
    lead_move(lead=lead, to_stage="mql", by=marketer, reason="Met the MQL definition")
    note_add(lead=lead, by=sales_rep, body="Called, wants pricing")

    browser_login(page, "rory")
    page.goto("/leads/")
    page.click("text=Anna Berg")
    page.wait_for_url(f"**/leads/{lead.pk}/")
    timeline = page.locator("[data-testid=timeline]")
    items = timeline.locator(".list-group-item")
    assert items.count() == 4
    assert "Called, wants pricing" in items.nth(0).inner_text()
    assert "Lead → MQL" in items.nth(1).inner_text()
    assert "Spring webinar" in items.nth(2).inner_text()
    assert "Created as Lead" in items.nth(3).inner_text()
    assert page.inner_text("[data-testid=stage-badge]") == "MQL"
