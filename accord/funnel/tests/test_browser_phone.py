from typing import Any

import pytest

from accord.funnel.services import note_add
from conftest import browser_login

from .factories import make_account, make_deal, make_lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def overflows(page: Any) -> Any:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_the_leads_list_and_a_lead_fit_a_phone_screen(page, sales_rep):
    account = make_account(name="Vandelay Industries International Holdings")
    lead = make_lead(
        first_name="Maximiliane",
        last_name="Oberhauser-Wittgenstein",
        email="maximiliane.oberhauser-wittgenstein@vandelay-industries.example",
        title="Vice President of Global Procurement and Strategic Sourcing",
        account=account,
        owner=sales_rep,
    )
    make_deal(
        name="Vandelay Industries: enterprise platform, three-year licence", primary_lead=lead
    )
    note_add(lead=lead, by=sales_rep, body="A-very-long-unbroken-note-" * 6)

    page.set_viewport_size(PHONE)
    browser_login(page, "rory")
    page.goto("/leads/")
    assert page.locator("[data-testid=lead-row]").count() == 1
    assert not overflows(page)
    assert page.is_visible(".navbar-toggler")

    page.click("text=Maximiliane Oberhauser-Wittgenstein")
    page.wait_for_url(f"**/leads/{lead.pk}/")
    assert page.is_visible("[data-testid=timeline]")
    assert not overflows(page)
