import pytest

from conftest import browser_login

from .factories import make_account, make_lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_opens_a_deal_from_a_lead_and_wins_it_and_the_lead_becomes_a_customer(
    page, sales_rep
):
    acme = make_account(name="Acme")
    lead = make_lead(first_name="Anna", last_name="Berg", account=acme)

    browser_login(page, "rory")
    page.goto(f"/leads/{lead.pk}/")
    page.click("[data-testid=new-deal] >> nth=0")
    page.wait_for_url("**/deals/new/?lead=*")
    assert page.input_value("#id_name") == "Acme: new deal"
    assert page.input_value("#id_primary_lead") == str(lead.pk)
    page.fill("#id_name", "Acme platform")
    page.fill("#id_amount", "24000")
    page.click("[data-testid=save]")
    page.wait_for_url("**/deals/*/")
    assert page.inner_text("[data-testid=deal-status]") == "Open"

    page.click("[data-testid=win]")
    page.click("[data-testid=confirm-win]")
    page.wait_for_selector("[data-testid=deal-status]:has-text('Won')")
    assert "Anna Berg is a customer" in page.inner_text(".alert-success")

    page.click("[data-testid=primary-lead]")
    page.wait_for_url(f"**/leads/{lead.pk}/")
    assert page.inner_text("[data-testid=stage-badge]") == "Customer"
    timeline = page.inner_text("[data-testid=timeline]")
    assert "Deal won: Acme platform" in timeline
    assert "Opportunity → Customer" in timeline
