import pytest

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_marketer_logs_in_and_sees_the_home_page(page, marketer):
    browser_login(page, "mia")
    assert page.locator("h2.page-title").inner_text().startswith("Good to see you, Mia")
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")
    page.wait_for_url("**/login/")


def test_a_wrong_password_is_refused_with_a_message(page, marketer):
    page.goto("/login/")
    page.fill("#id_username", "mia")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert "correct username and password" in page.locator(".alert-danger").inner_text()
