import pytest

from accord.funnel.models import PropertyDefinition
from accord.funnel.services import property_define

pytestmark = pytest.mark.django_db


def test_it_lists_properties_by_record(marketer_client):
    property_define(entity="deal", label="Seats", type="number", by=None)
    response = marketer_client.get("/settings/properties/")
    assert response.status_code == 200
    groups = {
        entity: [d.key for d in definitions]
        for entity, _, definitions in response.context["groups"]
    }
    assert groups == {"account": [], "lead": [], "deal": ["seats"]}
    assert b"No lead properties yet" in response.content


def test_a_marketer_declares_a_property_whose_key_comes_from_the_label(marketer_client):
    response = marketer_client.post(
        "/settings/properties/", {"entity": "lead", "label": "Time on Site (min)", "type": "number"}
    )
    assert response.status_code == 302
    definition = PropertyDefinition.objects.get()
    assert (definition.entity, definition.key, definition.type) == (
        "lead",
        "time_on_site_min",
        "number",
    )
    page = marketer_client.get("/settings/properties/")
    assert "declared as time_on_site_min" in page.content.decode()


def test_a_taken_key_is_refused_with_a_message(marketer_client):
    property_define(entity="lead", label="Budget", type="number", by=None)
    response = marketer_client.post(
        "/settings/properties/", {"entity": "lead", "label": "Budget", "type": "text"}
    )
    assert response.status_code == 400
    assert "already exists" in response.context["form"].errors["key"][0]


def test_an_unknown_type_is_refused(marketer_client):
    response = marketer_client.post(
        "/settings/properties/", {"entity": "lead", "label": "Colour", "type": "colour"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["type"]
    assert not PropertyDefinition.objects.exists()
