"""Test set-up shared by every app: the standing personas and test-only settings."""

from __future__ import annotations

import os
from typing import Any

import pytest

# Tests run background tasks in-process; production uses the database queue.
os.environ.setdefault("ACCORD_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _person(username: str, team: str, role: str, first: str, last: str) -> Any:
    from accord.teams.services import user_create

    return user_create(
        username=username,
        team=team,
        role=role,
        password="Test-pass-123",
        first_name=first,
        last_name=last,
        email=f"{username}@example.com",
    )


@pytest.fixture
def marketer(db: Any) -> Any:
    return _person("mia", "marketing", "member", "Mia", "Marketer")


@pytest.fixture
def marketing_head(db: Any) -> Any:
    return _person("hana", "marketing", "head", "Hana", "Head-of-Marketing")


@pytest.fixture
def sales_rep(db: Any) -> Any:
    return _person("rory", "sales", "rep", "Rory", "Rep")


@pytest.fixture
def sales_head(db: Any) -> Any:
    return _person("sam", "sales", "head", "Sam", "Head-of-Sales")


@pytest.fixture
def admin_user(db: Any) -> Any:
    return _person("ada", "operations", "admin", "Ada", "Admin")


@pytest.fixture
def outsider_client(client: Any) -> Any:
    """A browser that has not logged in."""
    return client


@pytest.fixture
def marketer_client(client: Any, marketer: Any) -> Any:
    client.force_login(marketer)
    return client


@pytest.fixture
def rep_client(client: Any, sales_rep: Any) -> Any:
    client.force_login(sales_rep)
    return client


# --- browser tests ------------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium() -> Any:
    """One Chromium for the whole run (Debian's, driven by Playwright)."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(executable):
        message = f"Chromium not found at {executable}: apt-get install -y chromium"
        if os.environ.get("ACCORD_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Any:
    """A fresh browser tab against the live test server; ``page.base_url`` is its address."""
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    yield tab
    context.close()


def browser_login(page: Any, username: str, password: str = "Test-pass-123") -> None:
    """Log in through the real login form."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
