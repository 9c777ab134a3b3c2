"""Accounts upsert on external id, then domain, then name; campaigns on external id, then name."""

from datetime import date
from decimal import Decimal

import pytest

from accord.campaigns.models import Campaign
from accord.funnel.models import Account
from accord.funnel.tests.factories import make_account
from accord.imports.engine import import_file

pytestmark = pytest.mark.django_db


def test_accounts_match_on_their_domain_and_only_changes_count_as_updates(write_csv):
    make_account(name="Acme", domain="acme.example", industry="Retail")
    path = write_csv(
        [
            ["Name", "Website", "Industry", "Employees", "Segment", "Target"],
            ["Acme Inc", "https://www.Acme.example/", "Retail", "1,200", "Mid-market", "yes"],
            ["Beta", "beta.example", "Software", "40", "SMB", "no"],
            ["Beta", "beta.example", "Software", "40", "SMB", "no"],
        ]
    )
    result = import_file(entity="accounts", path=path, by=None)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    acme = Account.objects.get(domain="acme.example")
    assert (acme.name, acme.employees, acme.segment, acme.is_target) == (
        "Acme Inc",
        1200,
        "mid_market",
        True,
    )
    assert Account.objects.count() == 2


def test_an_account_row_naming_two_different_accounts_is_rejected(write_csv):
    make_account(name="One", domain="one.example", external_id="A-1")
    make_account(name="Two", domain="two.example", external_id="A-2")
    path = write_csv([["external_id", "domain"], ["A-1", "two.example"]])
    result = import_file(entity="accounts", path=path, by=None)
    (rejection,) = result.rejected
    assert (rejection.column, rejection.reason) == (
        "domain",
        "domain 'two.example' already belongs to another account",
    )


def test_campaigns_are_created_and_updated_by_name(write_csv):
    path = write_csv(
        [
            ["Campaign Name", "Channel", "Start Date", "End Date", "Cost", "Team"],
            ["Spring webinar", "Webinar", "2024-03-01", "2024-03-31", "$4,500", "marketing"],
            ["Trade show", "Conference", "2024-05-01", "2024-04-01", "900", "sales"],
            ["Mystery", "Carrier pigeon", "2024-05-01", "", "10", ""],
        ]
    )
    result = import_file(entity="campaigns", path=path, by=None)
    assert result.created == 1
    assert [(r.row, r.column) for r in result.rejected] == [(3, "End Date"), (4, "Channel")]
    assert "cannot end before it starts" in result.rejected[0].reason
    assert "unknown channel 'Carrier pigeon'" in result.rejected[1].reason
    campaign = Campaign.objects.get()
    assert (campaign.channel, campaign.starts_on, campaign.cost) == (
        "webinar",
        date(2024, 3, 1),
        Decimal("4500.00"),
    )
    again = import_file(entity="campaigns", path=path, by=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
