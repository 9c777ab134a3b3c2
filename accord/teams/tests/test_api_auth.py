"""Who may call the API: a personal token, or the browser's session with its CSRF token."""

import pytest
from django.test import Client

from accord.teams.models import ApiToken
from accord.teams.services import token_create, token_revoke

pytestmark = pytest.mark.django_db


def test_a_token_authenticates_as_its_owner(client, sales_rep):
    _, raw = token_create(user=sales_rep, name="script")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["username"] == "rory"


def test_using_a_token_records_when(client, sales_rep):
    token, raw = token_create(user=sales_rep, name="script")
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_gets_401_saying_so(client, sales_rep):
    token, raw = token_create(user=sales_rep, name="script")
    token_revoke(token=token, by=sales_rep)
    response = client.get("/api/v1/leads", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    assert response.json() == {
        "detail": "the API token is not valid: it may be mistyped or revoked",
        "errors": {},
    }


def test_a_deactivated_persons_token_gets_401(client, sales_rep):
    _, raw = token_create(user=sales_rep, name="script")
    sales_rep.is_active = False
    sales_rep.save()
    response = client.get("/api/v1/leads", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401


def test_no_credentials_get_401_json(client):
    response = client.get("/api/v1/leads")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_a_logged_in_session_can_read_and_write(rep_client):
    assert rep_client.get("/api/v1/leads").status_code == 200
    response = rep_client.post(
        "/api/v1/accounts", {"name": "Acme"}, content_type="application/json"
    )
    assert response.status_code == 201


def test_a_session_write_without_the_csrf_token_is_refused(sales_rep):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(sales_rep)
    assert browser.get("/api/v1/leads").status_code == 200
    response = browser.post("/api/v1/accounts", {"name": "Acme"}, content_type="application/json")
    assert response.status_code == 403
    assert "X-CSRFToken" in response.json()["detail"]


def test_a_session_write_with_the_csrf_token_is_accepted(sales_rep):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(sales_rep)
    browser.get("/api/v1/docs")  # sets the CSRF cookie, as any page does
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/v1/accounts",
        {"name": "Acme"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.json()


def test_an_unauthenticated_write_gets_401_not_a_csrf_error():
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/api/v1/accounts", {"name": "Acme"}, content_type="application/json")
    assert response.status_code == 401


def test_a_token_write_needs_no_csrf_token(sales_rep):
    _, raw = token_create(user=sales_rep, name="script")
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        "/api/v1/accounts",
        {"name": "Acme"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201
    assert ApiToken.objects.get().last_used_at is not None
