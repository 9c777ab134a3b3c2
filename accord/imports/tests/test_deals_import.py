"""Deals: linked to leads and accounts; historical won deals make their lead a customer."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from accord.funnel.models import Deal, Lead, StageChange
from accord.funnel.tests.factories import make_account, make_lead
from accord.imports.engine import import_file

pytestmark = pytest.mark.django_db

HEADER = [
    "external_id",
    "name",
    "amount",
    "stage",
    "created_at",
    "closed_at",
    "lead",
    "loss_reason",
]


def _day(text) -> Any:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def lead():
    return make_lead(external_id="C-1", created_at=_day("2024-01-01"))


def test_a_won_deal_makes_its_lead_a_customer_at_the_close_time(write_csv, lead, sales_rep):
    path = write_csv(
        [HEADER, ["D-1", "Big one", "12,500", "won", "2024-02-01", "2024-03-15", "C-1", ""]]
    )
    result = import_file(entity="deals", path=path, by=sales_rep)
    assert (result.created, result.rejected) == (1, [])
    deal = Deal.objects.get(external_id="D-1")
    assert (deal.status, deal.amount, deal.closed_at) == (
        "won",
        Decimal("12500"),
        _day("2024-03-15"),
    )
    assert list(deal.leads.all()) == [lead]
    lead.refresh_from_db()
    assert lead.stage == "customer"
    moves = [(c.from_stage, c.to_stage, c.at, c.source) for c in lead.stage_changes.order_by("id")]
    assert moves[1:] == [
        ("lead", "opportunity", _day("2024-02-01"), "deal"),
        ("opportunity", "customer", _day("2024-03-15"), "deal"),
    ]
    again = import_file(entity="deals", path=path, by=sales_rep)
    assert (again.created, again.unchanged) == (0, 1)
    assert lead.stage_changes.count() == 3


def test_winning_an_open_deal_in_a_later_export_moves_the_lead_on(write_csv, lead):
    import_file(
        entity="deals",
        path=write_csv(
            [HEADER, ["D-2", "Deal", "100", "Demo", "2024-02-01", "2024-09-01", "C-1", ""]]
        ),
        by=None,
    )
    deal = Deal.objects.get(external_id="D-2")
    assert (deal.status, deal.closed_at, str(deal.pipeline_stage)) == ("open", None, "Demo")
    assert Lead.objects.get(pk=lead.pk).stage == "opportunity"
    later = write_csv(
        [HEADER, ["D-2", "Deal", "100", "won", "2024-02-01", "2024-04-01", "C-1", ""]], "won.csv"
    )
    result = import_file(entity="deals", path=later, by=None)
    assert result.updated == 1
    assert Lead.objects.get(pk=lead.pk).stage == "customer"


def test_a_won_deal_cannot_be_reopened_by_an_import(write_csv, lead):
    import_file(
        entity="deals",
        path=write_csv([HEADER, ["D-3", "Deal", "100", "won", "2024-02-01", "2024-03-01", "", ""]]),
        by=None,
    )
    result = import_file(
        entity="deals",
        path=write_csv([HEADER, ["D-3", "Deal", "100", "Demo", "", "", "", ""]], "reopen.csv"),
        by=None,
    )
    (rejection,) = result.rejected
    assert rejection.column == "stage"
    assert "a won deal cannot be reopened" in rejection.reason


def test_a_lost_deal_without_a_reason_says_so(write_csv):
    path = write_csv([HEADER, ["D-4", "Gone", "100", "lost", "2024-02-01", "2024-03-01", "", ""]])
    import_file(entity="deals", path=path, by=None)
    assert Deal.objects.get(external_id="D-4").loss_reason == "not recorded in the imported file"


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (
            ["D-5", "X", "100", "won", "2024-02-01", "2024-03-01", "C-404", ""],
            "lead",
            "no lead with external id 'C-404'",
        ),
        (
            ["D-6", "X", "100", "Haggling", "2024-02-01", "", "", ""],
            "stage",
            "unknown pipeline stage 'Haggling'",
        ),
        (
            ["D-7", "X", "much", "Demo", "2024-02-01", "", "", ""],
            "amount",
            "'much' is not a number",
        ),
        (
            ["D-8", "X", "100", "won", "2024-03-01", "2024-02-01", "", ""],
            "closed_at",
            "cannot close before it was created",
        ),
        (["D-9", "", "100", "Demo", "2024-03-01", "", "", ""], "name", "a new deal needs a name"),
    ],
)
def test_it_rejects_a_bad_deal_row_with_the_column_and_reason(write_csv, lead, row, column, reason):
    result = import_file(entity="deals", path=write_csv([HEADER, row]), by=None)
    (rejection,) = result.rejected
    assert (rejection.row, rejection.column) == (2, column)
    assert reason in rejection.reason
    assert not Deal.objects.exists()


def test_a_deal_takes_its_account_from_the_lead_or_from_its_own_column(write_csv):
    account = make_account(external_id="A-1", domain="acme.example")
    make_lead(external_id="C-2", account=account)
    path = write_csv(
        [
            ["external_id", "name", "lead", "account_domain", "stage"],
            ["D-10", "Via lead", "C-2", "", "Demo"],
            ["D-11", "Via domain", "", "https://www.acme.example/about", "Demo"],
        ]
    )
    import_file(entity="deals", path=path, by=None)
    assert set(Deal.objects.values_list("account_id", flat=True)) == {account.pk}
    assert StageChange.objects.filter(to_stage="opportunity").count() == 1
