"""The API's OpenAPI document and its docs page, which must work without internet access."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if method in METHODS:
                yield path, method, operation


def test_the_openapi_document_validates(spec):
    validate(spec)


def test_every_operation_requires_a_token_or_a_session(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"
    unsecured = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(spec)
        if not operation.get("security")
    ]
    assert unsecured == []


def test_every_operation_documents_its_errors(spec):
    for path, method, operation in operations(spec):
        responses = operation["responses"]
        assert {"401", "422"} <= set(responses), (method, path)
        assert responses["401"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
        if "{" in path:
            assert "404" in responses, (method, path)


def test_operation_ids_are_readable_and_unique(spec):
    ids = [operation["operationId"] for _, _, operation in operations(spec)]
    assert len(ids) == len(set(ids))
    assert "list_leads" in ids
    assert all(re.fullmatch(r"[a-z_]+", i) for i in ids)


def test_input_schemas_forbid_unknown_fields(spec):
    inputs = [name for name in spec["components"]["schemas"] if name.endswith("In")]
    assert "LeadCreateIn" in inputs
    for name in inputs:
        assert spec["components"]["schemas"][name]["additionalProperties"] is False, name


def test_every_operation_answers_401_json_without_credentials(client, spec):
    for path, method, _ in operations(spec):
        url = re.sub(r"{[^}]+}", "1", path)
        response = getattr(client, method)(url, {}, content_type="application/json")
        assert response.status_code == 401, (method, path)
        assert set(response.json()) == {"detail", "errors"}, (method, path)


def test_the_docs_page_loads_its_assets_from_this_server(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert all(a.startswith("/") for a in assets), assets
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        served.close()
    assert '"validatorUrl": null' in html  # Swagger UI would otherwise call out to a validator


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_docs_page_renders_every_operation_offline(page):
    base = page.base_url
    outside = []

    def only_this_server(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock")
    spec = page.request.get(f"{base}/api/v1/openapi.json").json()
    assert page.locator(".opblock").count() == len(list(operations(spec)))
    assert outside == []
