"""The mapping file of DESIGN.md §5: fields, value maps, links, empty values, ignored columns."""

import json

import pytest

from accord.campaigns.models import Touch
from accord.errors import AccordError
from accord.funnel.models import Lead, PropertyDefinition
from accord.imports.engine import import_file
from accord.imports.mapping import load_mapping, parse_mapping, suggest_mapping

pytestmark = pytest.mark.django_db

MAPPING = {
    "columns": {
        "Contact ID": "external_id",
        "Original Source": "source",
        "Became MQL": "mql_at",
        "Is Customer": {"field": "stage", "values": {"yes": "customer", "no": "lead"}},
    },
    "empty_values": ["", "N/A", "-- choose --"],
    "ignore": ["Row Number"],
}


def test_it_imports_through_fields_value_maps_and_ignored_columns(write_csv, tmp_path):
    path = write_csv(
        [
            [
                "Row Number",
                "Contact ID",
                "Email",
                "Original Source",
                "Became MQL",
                "Is Customer",
                "Shoe Size",
            ],
            ["1", "c-1", "a@x.example", "Webinar", "2024-02-01", "no", "42"],
            ["2", "c-2", "b@x.example", "-- choose --", "N/A", "yes", "N/A"],
        ]
    )
    mapping_path = tmp_path / "mapping.json"
    mapping_path.write_text(json.dumps(MAPPING))
    result = import_file(
        entity="leads", path=path, by=None, mapping=load_mapping(mapping_path, "leads")
    )
    assert (result.created, result.rejected) == (2, [])
    one, two = Lead.objects.get(external_id="c-1"), Lead.objects.get(external_id="c-2")
    assert (one.source, one.stage, one.email, one.properties) == (
        "Webinar",
        "mql",
        "a@x.example",
        {"shoe_size": 42},
    )
    assert (two.source, two.stage, two.properties) == ("", "customer", {})
    assert not PropertyDefinition.objects.filter(key="row_number").exists()


def test_a_link_names_the_field_of_the_linked_record(write_csv):
    Lead.objects.create(external_id="c-9", email="z@x.example")
    path = write_csv([["contact_ref", "What", "When"], ["c-9", "demo_request", "2024-02-01"]])
    mapping = {
        "columns": {
            "contact_ref": {"field": "lead", "by": "external_id"},
            "What": "kind",
            "When": "at",
        }
    }
    result = import_file(entity="touches", path=path, by=None, mapping=mapping)
    assert result.created == 1
    assert Touch.objects.get().lead.external_id == "c-9"


def test_columns_can_be_sent_to_a_named_custom_property(write_csv):
    path = write_csv([["email", "source", "Score (0-100)"], ["a@x.example", "Web", "77"]])
    mapping = {"columns": {"source": "property", "Score (0-100)": {"property": "fit"}}}
    import_file(entity="leads", path=path, by=None, mapping=mapping)
    lead = Lead.objects.get()
    assert (lead.source, lead.properties) == ("", {"source": "Web", "fit": 77})


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ([], "must be a JSON object"),
        ({"columns": {"A": "shoe"}}, "column 'A' maps to 'shoe', which is not a field of leads"),
        ({"columns": {"A": {"field": "account", "by": "colour"}}}, "links account by 'colour'"),
        ({"columns": {"A": {"field": "email", "by": "email"}}}, "email is not a link"),
        ({"columns": {"A": {"field": "stage", "values": ["yes"]}}}, r'"values" must be an object'),
        ({"columns": {"A": "email", "B": "email"}}, "columns 'A' and 'B' both map to email"),
        ({"colums": {}}, "unknown key 'colums'"),
        ({"columns": {}, "empty_values": "N/A"}, '"empty_values" must be a list'),
    ],
)
def test_a_bad_mapping_is_refused_with_a_reason(mapping, message):
    with pytest.raises(AccordError, match=message):
        parse_mapping(mapping, "leads")


def test_a_mapping_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "mapping.json"
    path.write_text("{columns: nope}")
    with pytest.raises(AccordError, match=r"mapping\.json is not valid JSON"):
        load_mapping(path, "leads")


def test_suggestions_match_field_names_aliases_and_keep_the_rest_as_properties():
    suggested = suggest_mapping(
        ["E-mail", "Job Title", "Lifecycle Stage", "Company", "Favourite colour"], "leads"
    )
    assert suggested["columns"] == {
        "E-mail": "email",
        "Job Title": "title",
        "Lifecycle Stage": "stage",
        "Company": "company",
        "Favourite colour": "property",
    }
    assert suggested["ignore"] == []


def test_a_suggested_mapping_is_itself_a_valid_mapping():
    suggested = suggest_mapping(["Record ID", "Lifecycle Stage", "Whatever"], "leads", "hubspot")
    mapping = parse_mapping(suggested, "leads")
    target = mapping.target_for("Lifecycle Stage")
    assert target is not None
    assert (target.value_map or {})["marketing qualified lead"] == "mql"
