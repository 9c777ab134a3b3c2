"""Stage dates become stage changes: creation first, undated stages at import time, no repeats."""

from datetime import UTC, datetime
from typing import Any

import pytest
from django.utils import timezone

from accord.funnel.models import Lead
from accord.imports.engine import import_file

pytestmark = pytest.mark.django_db

HEADER = ["email", "stage", "created_at", "mql_at", "sql_at", "customer_at"]


def _day(text) -> Any:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _history(email) -> Any:
    lead = Lead.objects.get(email=email)
    return lead, [(c.from_stage, c.to_stage, c.at) for c in lead.stage_changes.order_by("id")]


def test_a_lead_is_created_no_later_than_its_first_stage_date(write_csv):
    path = write_csv([HEADER, ["a@x.example", "", "2024-03-01", "2024-02-01", "", ""]])
    import_file(entity="leads", path=path, by=None)
    lead, history = _history("a@x.example")
    assert lead.created_at == _day("2024-02-01")
    assert history == [("", "mql", _day("2024-02-01"))]
    assert lead.stage == "mql"


def test_stage_dates_chain_from_the_creation_in_funnel_order(write_csv):
    path = write_csv(
        [
            HEADER,
            ["b@x.example", "customer", "2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"],
        ]
    )
    import_file(entity="leads", path=path, by=None)
    lead, history = _history("b@x.example")
    assert history == [
        ("", "lead", _day("2024-01-01")),
        ("lead", "mql", _day("2024-02-01")),
        ("mql", "sql", _day("2024-03-01")),
        ("sql", "customer", _day("2024-04-01")),
    ]
    assert (lead.stage, lead.stage_changed_at) == ("customer", _day("2024-04-01"))


def test_an_out_of_order_export_still_reaches_the_furthest_stage(write_csv):
    path = write_csv([HEADER, ["c@x.example", "", "2024-01-01", "2024-03-01", "2024-02-01", ""]])
    import_file(entity="leads", path=path, by=None)
    lead, history = _history("c@x.example")
    assert [(f, t) for f, t, _ in history] == [("", "lead"), ("lead", "mql"), ("mql", "sql")]
    assert lead.stage == "sql"
    assert history[2][2] == _day("2024-02-01")  # dates kept as exported; reports flag these


def test_a_lifecycle_stage_without_a_date_is_a_move_at_import_time(write_csv):
    started = timezone.now()
    path = write_csv([HEADER, ["d@x.example", "sql", "2024-01-01", "", "", ""]])
    import_file(entity="leads", path=path, by=None)
    lead, history = _history("d@x.example")
    assert [(f, t) for f, t, _ in history] == [("", "lead"), ("lead", "sql")]
    assert history[1][2] >= started
    assert lead.created_at == _day("2024-01-01")


def test_a_new_stage_date_in_a_later_export_adds_one_move(write_csv):
    import_file(
        entity="leads",
        path=write_csv([HEADER, ["e@x.example", "mql", "2024-01-01", "2024-02-01", "", ""]]),
        by=None,
    )
    later = write_csv(
        [HEADER, ["e@x.example", "sql", "2024-01-01", "2024-02-01", "2024-05-01", ""]], "later.csv"
    )
    result = import_file(entity="leads", path=later, by=None)
    assert (result.updated, result.unchanged) == (1, 0)
    lead, history = _history("e@x.example")
    assert [(f, t) for f, t, _ in history] == [("", "lead"), ("lead", "mql"), ("mql", "sql")]
    assert (lead.stage, lead.stage_changed_at) == ("sql", _day("2024-05-01"))
    again = import_file(entity="leads", path=later, by=None)
    assert (again.updated, again.unchanged) == (0, 1)


def test_an_earlier_lifecycle_stage_does_not_move_a_lead_back(write_csv):
    path = write_csv([HEADER, ["f@x.example", "lead", "2024-01-01", "2024-02-01", "", ""]])
    import_file(entity="leads", path=path, by=None)
    lead, history = _history("f@x.example")
    assert lead.stage == "mql"
    assert len(history) == 2


def test_a_customer_cannot_be_disqualified_by_an_import(write_csv):
    import_file(
        entity="leads",
        path=write_csv([HEADER, ["g@x.example", "customer", "2024-01-01", "", "", "2024-02-01"]]),
        by=None,
    )
    result = import_file(
        entity="leads",
        path=write_csv([HEADER, ["g@x.example", "disqualified", "", "", "", ""]], "dq.csv"),
        by=None,
    )
    (rejection,) = result.rejected
    assert (rejection.row, rejection.column) == (2, "stage")
    assert "a customer cannot become Disqualified" in rejection.reason
    assert Lead.objects.get(email="g@x.example").stage == "customer"


def test_a_stage_date_in_the_future_is_rejected(write_csv):
    path = write_csv([HEADER, ["h@x.example", "", "2024-01-01", "2999-01-01", "", ""]])
    result = import_file(entity="leads", path=path, by=None)
    (rejection,) = result.rejected
    assert (rejection.column, rejection.value) == ("mql_at", "2999-01-01")
    assert "in the future" in rejection.reason
