import pytest

from .factories import make_lead

pytestmark = pytest.mark.django_db


def test_htmx_gets_only_the_results_and_a_tidy_url_to_push(marketer_client):
    make_lead(first_name="Anna")
    response = marketer_client.get("/leads/?q=anna&source=&stage=lead", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'data-testid="lead-table"' in response.content
    assert response["HX-Push-Url"] == "/leads/?q=anna&stage=lead"
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(marketer_client):
    response = marketer_client.get(
        "/leads/?q=anna", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert b"<html" in response.content


def test_the_filter_form_asks_htmx_to_swap_the_results(marketer_client):
    response = marketer_client.get("/leads/?q=anna&stage=mql")
    content = response.content.decode()
    assert 'hx-get="/leads/"' in content
    assert 'hx-target="#results"' in content
    assert 'value="anna"' in content
    assert 'value="mql" class="form-selectgroup-input" checked' in content


def test_a_history_restore_lists_the_owners_in_the_filter(marketer_client, marketer):
    response = marketer_client.get(
        "/leads/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert marketer in response.context["owners"]
