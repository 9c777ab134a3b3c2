from typing import Any

import pytest

from accord.funnel.services import lead_move
from conftest import browser_login

from .factories import make_lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def leads(marketer):
    make_lead(first_name="Anna", last_name="Berg")
    make_lead(first_name="Bruno", last_name="Costa")
    qualified = make_lead(first_name="Chloe", last_name="Dubois")
    lead_move(lead=qualified, to_stage="mql", by=marketer)


def rows(page: Any) -> Any:
    return page.locator("[data-testid=lead-row] td:first-child a").all_inner_texts()


def test_typing_a_search_updates_the_list_in_place(page, leads):
    browser_login(page, "mia")
    page.goto("/leads/")
    assert len(rows(page)) == 3
    page.evaluate("window.notReloaded = true")
    page.fill("[data-testid=search]", "bruno")
    page.wait_for_url("**/leads/?q=bruno")
    page.wait_for_function("document.querySelectorAll('[data-testid=lead-row]').length === 1")
    assert rows(page) == ["Bruno Costa"]
    assert page.evaluate("window.notReloaded") is True


def test_picking_a_stage_updates_the_list_and_the_address(page, leads):
    browser_login(page, "mia")
    page.goto("/leads/")
    page.evaluate("window.notReloaded = true")
    page.click("label:has([data-testid=stage-mql])")
    page.wait_for_url("**/leads/?stage=mql")
    page.wait_for_function("document.querySelectorAll('[data-testid=lead-row]').length === 1")
    assert rows(page) == ["Chloe Dubois"]
    assert page.evaluate("window.notReloaded") is True
    # The address is a bookmark: loading it anew shows the same filtered list.
    page.reload()
    assert rows(page) == ["Chloe Dubois"]
    assert page.is_checked("[data-testid=stage-mql]")


def test_a_bad_filter_in_the_address_shows_a_message(page, leads):
    browser_login(page, "mia")
    page.goto("/leads/?score_min=lots")
    assert "whole number" in page.inner_text("[data-testid=filter-error]")
