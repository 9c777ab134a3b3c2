"""Acceptance 3, HubSpot: a contacts export lands with its stages, history and properties."""

from datetime import UTC, datetime
from typing import Any

import pytest
from django.utils import timezone

from accord.funnel.models import FUNNEL_ORDER, Account, Lead, PropertyDefinition, StageChange
from accord.imports.engine import import_file

from .helpers import fixture, read_fixture

pytestmark = pytest.mark.django_db

LIFECYCLE = {
    "Subscriber": "lead",
    "Lead": "lead",
    "Marketing Qualified Lead": "mql",
    "Sales Qualified Lead": "sql",
    "Opportunity": "opportunity",
    "Customer": "customer",
    "Evangelist": "customer",
}
DATES = {
    "Became a Marketing Qualified Lead Date": "mql",
    "Became a Sales Qualified Lead Date": "sql",
    "Became an Opportunity Date": "opportunity",
    "Became a Customer Date": "customer",
}


def _at(text) -> Any:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def _import(by) -> Any:
    import_file(entity="accounts", path=fixture("hubspot_companies.csv"), by=by, preset="hubspot")
    return import_file(
        entity="leads", path=fixture("hubspot_contacts.csv"), by=by, preset="hubspot"
    )


def test_it_creates_every_contact_with_the_right_stage_and_history(marketer):
    started = timezone.now()
    result = _import(marketer)
    rows = read_fixture("hubspot_contacts.csv")
    assert (result.created, result.rejected) == (len(rows), [])
    leads = {lead.external_id: lead for lead in Lead.objects.all()}
    changes: dict[int, list[StageChange]] = {}
    for change in StageChange.objects.order_by("at", "id"):
        changes.setdefault(change.lead_id, []).append(change)
    for row in rows:
        lead = leads[row["Record ID"]]
        dated = {stage: _at(row[col]) for col, stage in DATES.items() if row[col]}
        lifecycle = LIFECYCLE[row["Lifecycle Stage"]]
        furthest = max([lifecycle, *dated], key=FUNNEL_ORDER.index)
        assert lead.stage == furthest, row["Record ID"]
        history = changes[lead.pk]
        assert history[0].from_stage == ""
        assert history[0].at == lead.created_at == _at(row["Create Date"])
        moves = {c.to_stage: c.at for c in history[1:]}
        for stage, at in dated.items():
            assert moves[stage] == at
        if furthest not in dated and furthest != "lead":
            assert moves[furthest] >= started  # an undated lifecycle stage: moved at import
        assert {c.source for c in history} == {"import"}
        assert {c.actor_id for c in history} == {marketer.pk}
        assert str(lead.account and lead.account.external_id) == row["Associated Company ID"]


def test_it_keeps_the_unknown_columns_as_typed_custom_properties(marketer):
    _import(marketer)
    types = dict(PropertyDefinition.objects.filter(entity="lead").values_list("key", "type"))
    assert types["number_of_pageviews"] == "number"
    assert types["newsletter_subscriber"] == "boolean"
    assert types["persona"] == "text"
    assert types["last_activity_date"] == "date"
    assert types["lead_status"] == "text"
    for row in read_fixture("hubspot_contacts.csv"):
        props = Lead.objects.get(external_id=row["Record ID"]).properties
        if row["Number of Pageviews"] in ("N/A", "-"):
            assert "number_of_pageviews" not in props  # an empty marker is a missing value
        else:
            assert props["number_of_pageviews"] == int(row["Number of Pageviews"])
        assert props["newsletter_subscriber"] is (row["Newsletter Subscriber"] == "true")
        assert props.get("persona") == (None if row["Persona"] == "N/A" else row["Persona"])
        assert props.get("last_activity_date") == (row["Last Activity Date"] or None)


def test_it_imports_the_companies_export_as_accounts(marketer):
    _import(marketer)
    account = Account.objects.get(external_id="5001")
    assert (account.name, account.domain, account.employees) == (
        "Contoso Analytics",
        "contoso.example",
        1200,
    )
    assert account.leads.exists()


def test_importing_the_same_export_again_changes_nothing(marketer):
    _import(marketer)
    before = list(Lead.objects.order_by("pk").values())
    changes = StageChange.objects.count()
    again = _import(marketer)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 300, [])
    assert StageChange.objects.count() == changes
    assert list(Lead.objects.order_by("pk").values()) == before
