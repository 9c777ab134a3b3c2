import pytest

from accord.errors import AccordError
from accord.funnel.models import Entity, Lead, PropertyType
from accord.funnel.properties import infer_type, property_key
from accord.funnel.selectors import LeadFilter
from accord.funnel.services import lead_update, property_define

from .factories import make_lead

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Time on Site (min)", "time_on_site_min"),
        ("  Lead Rating ", "lead_rating"),
        ("NPS/Score", "nps_score"),
        ("#", "column"),
    ],
)
def test_it_turns_a_header_into_a_snake_case_key(header, key):
    assert property_key(header) == key


@pytest.mark.parametrize(
    ("values", "type_"),
    [
        (["1", "2.5", "1,200"], PropertyType.NUMBER),
        (["yes", "no"], PropertyType.BOOLEAN),
        (["2024-01-31", "31/01/2024"], PropertyType.DATE),
        (["12", "n/a text"], PropertyType.TEXT),
        (["", " "], PropertyType.TEXT),
    ],
)
def test_it_infers_the_narrowest_type(values, type_):
    assert infer_type(values) == type_


def test_declared_properties_are_validated_and_typed(marketer):
    property_define(
        entity=Entity.LEAD, label="Employees band", type=PropertyType.NUMBER, by=marketer
    )
    property_define(entity=Entity.LEAD, label="Newsletter", type=PropertyType.BOOLEAN, by=marketer)
    lead = make_lead(properties={"employees_band": "1,200", "newsletter": "yes"})
    assert lead.properties == {"employees_band": 1200, "newsletter": True}
    with pytest.raises(AccordError) as exc:
        lead_update(lead=lead, by=marketer, properties={"employees_band": "lots", "colour": "x"})
    assert "properties.employees_band" in exc.value.fields
    assert "unknown property 'colour'" in exc.value.fields["properties.colour"][0]
    lead.refresh_from_db()
    assert lead.properties["employees_band"] == 1200


def test_custom_properties_filter_leads_by_value_and_range(marketer):
    property_define(entity=Entity.LEAD, label="Seats", type=PropertyType.NUMBER, by=marketer)
    small = make_lead(properties={"seats": 5})
    big = make_lead(properties={"seats": 500})
    found = LeadFilter.from_params({"prop.seats__gte": "100"}).apply(Lead.objects.all())
    assert list(found) == [big]
    found = LeadFilter.from_params({"prop.seats": "5"}).apply(Lead.objects.all())
    assert list(found) == [small]


def test_a_filter_on_an_undeclared_property_is_an_error_not_a_silent_no_op():
    with pytest.raises(AccordError, match="unknown property 'ghost'"):
        LeadFilter.from_params({"prop.ghost": "1"}).apply(Lead.objects.all())


def test_a_property_key_is_declared_once(marketer):
    property_define(entity=Entity.LEAD, label="Rating", type=PropertyType.TEXT, by=marketer)
    with pytest.raises(AccordError, match="already exists"):
        property_define(entity=Entity.LEAD, label="rating", type=PropertyType.NUMBER, by=marketer)
