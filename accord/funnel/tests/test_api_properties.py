"""Custom property definitions and pipeline stages over the API."""

import pytest

from accord.funnel.models import Entity, PipelineStage, PropertyDefinition
from accord.funnel.services import property_define
from accord.teams.services import token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(marketing_head):
    _, raw = token_create(user=marketing_head, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def test_it_lists_property_definitions(client, auth):
    property_define(entity=Entity.LEAD, label="Webinars", type="number", by=None)
    property_define(entity=Entity.ACCOUNT, label="Fiscal year", type="number", by=None)
    response = client.get("/api/v1/properties", headers=auth)
    assert response.status_code == 200
    assert [(p["entity"], p["key"]) for p in response.json()["items"]] == [
        ("account", "fiscal_year"),
        ("lead", "webinars"),
    ]
    leads_only = client.get("/api/v1/properties", {"entity": "lead"}, headers=auth).json()
    assert [p["key"] for p in leads_only["items"]] == ["webinars"]


def test_it_rejects_an_unknown_record_type_in_the_list(client, auth):
    response = client.get("/api/v1/properties", {"entity": "planet"}, headers=auth)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["entity"]


def test_the_property_list_runs_the_same_queries_for_5_and_50(
    client, auth, django_assert_num_queries
):
    client.get("/api/v1/properties", headers=auth)
    for n in range(5):
        property_define(entity=Entity.LEAD, label=f"Field {n}", type="text", by=None)
    with django_assert_num_queries(2):
        assert len(client.get("/api/v1/properties", headers=auth).json()["items"]) == 5
    for n in range(5, 50):
        property_define(entity=Entity.LEAD, label=f"Field {n}", type="text", by=None)
    with django_assert_num_queries(2):
        assert len(client.get("/api/v1/properties", headers=auth).json()["items"]) == 50


def test_it_declares_a_property_with_a_key_from_its_label(client, auth):
    response = client.post(
        "/api/v1/properties",
        {"entity": "deal", "label": "Contract length (months)", "type": "number"},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 201, response.json()
    assert response.json()["key"] == "contract_length_months"
    assert PropertyDefinition.objects.filter(entity="deal", key="contract_length_months").exists()


def test_it_rejects_a_bad_property_declaration(client, auth):
    response = client.post(
        "/api/v1/properties",
        {"entity": "lead", "label": " ", "type": "colour"},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"label", "type"}


def test_it_refuses_a_duplicate_property_key_with_409(client, auth):
    property_define(entity=Entity.LEAD, label="Webinars", type="number", by=None)
    response = client.post(
        "/api/v1/properties",
        {"entity": "lead", "label": "Webinars", "type": "number"},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 409
    assert response.json()["errors"] == {"key": ["taken"]}


def test_it_lists_the_pipeline_stages_in_order(client, auth):
    response = client.get("/api/v1/pipeline-stages", headers=auth)
    assert response.status_code == 200
    expected = list(PipelineStage.objects.values_list("name", flat=True))
    assert expected
    assert [s["name"] for s in response.json()["items"]] == expected


def test_the_pipeline_stage_list_runs_the_same_queries_for_5_and_50(
    client, auth, django_assert_num_queries
):
    client.get("/api/v1/pipeline-stages", headers=auth)
    PipelineStage.objects.all().delete()
    PipelineStage.objects.bulk_create(PipelineStage(name=f"S{n}", position=n) for n in range(5))
    with django_assert_num_queries(2):
        assert len(client.get("/api/v1/pipeline-stages", headers=auth).json()["items"]) == 5
    PipelineStage.objects.bulk_create(PipelineStage(name=f"S{n}", position=n) for n in range(5, 50))
    with django_assert_num_queries(2):
        assert len(client.get("/api/v1/pipeline-stages", headers=auth).json()["items"]) == 50


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/properties"),
        ("post", "/api/v1/properties"),
        ("get", "/api/v1/pipeline-stages"),
    ],
)
def test_it_requires_authentication(client, method, path):
    response = getattr(client, method)(path, {}, content_type="application/json")
    assert response.status_code == 401
