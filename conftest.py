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
