"""Acceptance 3, Salesforce: a leads export (Latin-1, US dates) lands with stages and history."""

from datetime import UTC, datetime
from typing import Any

import pytest

from accord.funnel.models import Account, Lead, PropertyDefinition, StageChange
from accord.imports.engine import import_file

from .helpers import fixture, read_fixture

pytestmark = pytest.mark.django_db

STATUS = {
    "Open - Not Contacted": "mql",
    "Working - Contacted": "sal",
    "Closed - Converted": "sql",
    "Closed - Not Converted": "disqualified",
}


def _day(text) -> Any:
    return datetime.strptime(text, "%m/%d/%Y").replace(tzinfo=UTC)


def _import(by) -> Any:
    return import_file(
        entity="leads", path=fixture("salesforce_leads.csv"), by=by, preset="salesforce"
    )


def test_it_creates_every_lead_with_the_status_as_its_stage(marketer):
    result = _import(marketer)
    rows = read_fixture("salesforce_leads.csv", encoding="latin-1")
    assert (result.created, result.rejected, result.encoding) == (len(rows), [], "latin-1")
    for row in rows:
        lead = Lead.objects.get(external_id=row["Lead ID"])
        assert lead.stage == STATUS[row["Lead Status"]]
        assert lead.created_at == _day(row["Created Date"])
        assert (lead.first_name, lead.last_name) == (row["First Name"], row["Last Name"])
        assert lead.email == (row["Email"] or None)
        history = list(lead.stage_changes.order_by("at", "id"))
        assert (history[0].from_stage, history[0].to_stage) == ("", "lead")
        assert history[-1].to_stage == lead.stage
        if row["Converted Date"]:
            (sql,) = [c for c in history if c.to_stage == "sql"]
            assert sql.at == _day(row["Converted Date"])  # month first, as Salesforce writes


def test_it_decodes_latin_1_names():
    _import(None)
    assert Lead.objects.filter(first_name="Chloé").exists()
    assert Lead.objects.filter(last_name="Weiß").exists()


def test_it_finds_or_creates_each_company_as_an_account(marketer):
    _import(marketer)
    rows = read_fixture("salesforce_leads.csv", encoding="latin-1")
    assert Account.objects.count() == len({r["Company"] for r in rows})
    for row in rows[:50]:
        assert (
            Lead.objects.values_list("account__name", flat=True).get(external_id=row["Lead ID"])
            == row["Company"]
        )


def test_it_keeps_the_other_columns_as_custom_properties(marketer):
    _import(marketer)
    types = dict(PropertyDefinition.objects.filter(entity="lead").values_list("key", "type"))
    assert types["no_of_employees"] == "number"
    assert types["industry"] == types["rating"] == types["lead_owner"] == "text"
    lead = Lead.objects.get(external_id="00Q5e00000000001AAA")
    assert lead.properties["no_of_employees"] == 90
    assert lead.properties["industry"] == "Leisure"


def test_importing_the_same_export_again_changes_nothing(marketer):
    _import(marketer)
    changes = StageChange.objects.count()
    leads = Lead.objects.count()
    again = _import(marketer)
    assert (again.created, again.updated, again.unchanged) == (0, 0, leads)
    assert (StageChange.objects.count(), Lead.objects.count()) == (changes, leads)
