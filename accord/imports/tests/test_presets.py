"""The HubSpot and Salesforce presets: their export columns and values mapped to ours."""

import pytest

from accord.campaigns.models import Campaign
from accord.errors import AccordError
from accord.funnel.models import Deal, Lead
from accord.funnel.tests.factories import make_account, make_lead
from accord.imports.engine import import_file
from accord.imports.mapping import suggest_mapping

pytestmark = pytest.mark.django_db


def test_the_hubspot_preset_suggests_its_columns():
    suggested = suggest_mapping(
        ["Record ID", "Became a Sales Qualified Lead Date", "Associated Company ID", "Lead Status"],
        "leads",
        "hubspot",
    )
    columns = suggested["columns"]
    assert columns["Record ID"] == "external_id"
    assert columns["Became a Sales Qualified Lead Date"] == "sql_at"
    assert columns["Associated Company ID"] == {"field": "account", "by": "external_id"}
    assert columns["Lead Status"] == "property"


def test_hubspot_deal_stages_become_pipeline_stages_won_and_lost(write_csv):
    make_lead(external_id="901")
    path = write_csv(
        [
            [
                "Record ID",
                "Deal Name",
                "Amount",
                "Deal Stage",
                "Create Date",
                "Close Date",
                "Associated Contact ID",
                "Pipeline",
            ],
            ["1", "A", "100", "contractsent", "2024-01-01", "2024-06-30", "901", "Sales Pipeline"],
            ["2", "B", "200", "Closed Won", "2024-01-01", "2024-02-01", "", "Sales Pipeline"],
            ["3", "C", "300", "closedlost", "2024-01-01", "2024-02-01", "", "Sales Pipeline"],
        ]
    )
    result = import_file(entity="deals", path=path, by=None, preset="hubspot")
    assert result.rejected == []
    deals = {d.external_id: d for d in Deal.objects.all()}
    assert (deals["1"].status, str(deals["1"].pipeline_stage)) == ("open", "Negotiation")
    assert str(deals["1"].primary_lead_id) == str(Lead.objects.get(external_id="901").pk)
    assert (deals["2"].status, deals["3"].status) == ("won", "lost")


def test_salesforce_opportunities_link_to_their_account(write_csv):
    account = make_account(external_id="001A")
    path = write_csv(
        [
            [
                "Opportunity ID",
                "Opportunity Name",
                "Stage",
                "Amount",
                "Close Date",
                "Created Date",
                "Account ID",
                "Probability (%)",
            ],
            ["006A", "Renewal", "Closed Won", "5000", "3/31/2024", "1/15/2024", "001A", "100"],
            [
                "006B",
                "Upsell",
                "Proposal/Price Quote",
                "900",
                "9/30/2024",
                "2/15/2024",
                "001A",
                "75",
            ],
        ]
    )
    import_file(entity="deals", path=path, by=None, preset="salesforce")
    renewal, upsell = Deal.objects.order_by("external_id")
    assert (renewal.status, renewal.account_id) == ("won", account.pk)
    assert (upsell.status, str(upsell.pipeline_stage)) == ("open", "Proposal")


def test_salesforce_campaign_types_become_channels(write_csv):
    path = write_csv(
        [
            ["Campaign ID", "Campaign Name", "Type", "Start Date", "Actual Cost", "Status"],
            ["701A", "Autumn summit", "Conference", "2024-10-01", "12000", "Completed"],
            ["701B", "Nurture", "Email", "2024-10-01", "300", "In Progress"],
        ]
    )
    import_file(entity="campaigns", path=path, by=None, preset="salesforce")
    assert dict(Campaign.objects.values_list("name", "channel")) == {
        "Autumn summit": "events",
        "Nurture": "email",
    }


def test_an_unknown_preset_is_refused(write_csv):
    with pytest.raises(AccordError, match="unknown preset 'marketo'"):
        import_file(entity="leads", path=write_csv([["email"]]), by=None, preset="marketo")
