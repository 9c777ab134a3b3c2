"""Every API error is JSON in one shape: {"detail": ..., "errors": {field: [messages]}}."""

from typing import Any

import pytest

from accord.funnel import services
from accord.teams.services import token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(marketer: Any) -> dict[str, str]:
    _, raw = token_create(user=marketer, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def test_an_unknown_endpoint_is_a_json_404(client, auth):
    response = client.get("/api/v1/opportunities", headers=auth)
    assert response.status_code == 404
    assert response.json() == {
        "detail": "no API endpoint GET /api/v1/opportunities; see /api/v1/docs",
        "errors": {},
    }


def test_a_body_that_is_not_json_is_a_400_on_the_body(client, auth):
    response = client.post(
        "/api/v1/accounts", "{name: Acme", content_type="application/json", headers=auth
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"body": ["not valid JSON"]}


def test_a_body_that_is_not_an_object_is_a_422(client, auth):
    response = client.post(
        "/api/v1/accounts", [1, 2], content_type="application/json", headers=auth
    )
    assert response.status_code == 422
    assert set(response.json()) == {"detail", "errors"}
    assert response.json()["errors"]


def test_the_detail_names_the_fields_at_fault(client, auth):
    response = client.post(
        "/api/v1/leads", {"emial": "a@example.com"}, content_type="application/json", headers=auth
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "the request is not valid: check emial",
        "errors": {"emial": ["unknown field"]},
    }


def test_an_unexpected_failure_is_a_json_500_and_is_logged(client, auth, monkeypatch, caplog):
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "account_create", broken)
    response = client.post(
        "/api/v1/accounts", {"name": "Acme"}, content_type="application/json", headers=auth
    )
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error; it has been logged", "errors": {}}
    assert "disk on fire" in caplog.text


def test_a_body_over_the_size_limit_is_a_413(client, auth, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        "/api/v1/accounts", {"name": "A" * 2000}, content_type="application/json", headers=auth
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "the request body is larger than 1000 bytes; send less"
