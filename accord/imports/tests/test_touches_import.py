"""Touches: the bulk path, linked to leads and campaigns, idempotent with or without ids."""

from datetime import UTC, datetime

import pytest

from accord.campaigns.models import Touch
from accord.campaigns.services import campaign_create
from accord.funnel.tests.factories import make_lead
from accord.imports.engine import import_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return make_lead(email="pat@acme.example", external_id="P-1")


def test_it_links_touches_to_leads_and_campaigns_and_stores_them_once(write_csv, lead):
    campaign = campaign_create(by=None, name="Spring webinar", channel="webinar")
    path = write_csv(
        [
            ["id", "lead_email", "kind", "campaign", "content", "at"],
            [
                "w-1",
                "PAT@acme.example",
                "Webinar",
                "Spring webinar",
                "Funnel maths",
                "2024-03-05T16:00:00+01:00",
            ],
            ["w-2", "pat@acme.example", "page_view", "", "/pricing", "2024-03-06 09:00"],
        ]
    )
    result = import_file(entity="touches", path=path, by=None)
    assert (result.created, result.rejected) == (2, [])
    first = Touch.objects.get(external_id="w-1")
    assert (first.lead, first.kind, first.campaign, first.channel) == (
        lead,
        "webinar",
        campaign,
        "webinar",  # a touch without a channel takes its campaign's
    )
    assert first.at == datetime(2024, 3, 5, 15, 0, tzinfo=UTC)
    assert Touch.objects.filter(at=datetime(2024, 3, 6, 9, 0, tzinfo=UTC)).count() == 1
    again = import_file(entity="touches", path=path, by=None)
    assert (again.created, again.unchanged) == (0, 2)
    assert Touch.objects.count() == 2


def test_touches_without_an_external_id_are_still_imported_once(write_csv, lead):
    path = write_csv(
        [
            ["lead_external_id", "kind", "at"],
            ["P-1", "email_open", "2024-03-05 10:00"],
            ["P-1", "email_click", "2024-03-05 10:01"],
            ["P-1", "email_open", "2024-03-05 10:00"],
        ]
    )
    first = import_file(entity="touches", path=path, by=None)
    second = import_file(entity="touches", path=path, by=None)
    assert (first.created, first.unchanged) == (2, 1)
    assert (second.created, second.unchanged) == (0, 3)
    assert Touch.objects.count() == 2


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (
            ["t", "P-404", "page_view", "2024-01-01"],
            "lead_external_id",
            "no lead with external id 'P-404'",
        ),
        (["t", "", "page_view", "2024-01-01"], "lead_external_id", "a touch needs its lead"),
        (["t", "P-1", "telepathy", "2024-01-01"], "kind", "unknown kind 'telepathy'"),
        (["t", "P-1", "page_view", "yesterday"], "at", "'yesterday' is not a date"),
        (["t", "P-1", "page_view", "2999-01-01"], "at", "in the future"),
        (["t", "P-1", "page_view", ""], "at", "a touch needs a time"),
    ],
)
def test_it_rejects_a_bad_touch_with_the_column_and_reason(write_csv, lead, row, column, reason):
    header = ["external_id", "lead_external_id", "kind", "at"]
    result = import_file(entity="touches", path=write_csv([header, row]), by=None)
    (rejection,) = result.rejected
    assert (rejection.row, rejection.column) == (2, column)
    assert reason in rejection.reason
    assert not Touch.objects.exists()


def test_columns_touches_cannot_hold_are_left_out_with_a_notice(write_csv, lead):
    path = write_csv(
        [
            ["lead_external_id", "kind", "at", "Browser"],
            ["P-1", "page_view", "2024-01-01", "Firefox"],
        ]
    )
    result = import_file(entity="touches", path=path, by=None)
    assert result.created == 1
    assert result.notices == ["column 'Browser' was left out: touches have no custom properties"]


def test_a_file_mixing_stored_and_new_touches_adds_only_the_new_ones(write_csv, lead):
    header = ["external_id", "lead_external_id", "kind", "at"]
    first = [["m-1", "P-1", "page_view", "2024-01-01"], ["m-2", "P-1", "page_view", "2024-01-02"]]
    import_file(entity="touches", path=write_csv([header, *first]), by=None)
    later = write_csv([header, *first, ["m-3", "P-1", "call", "2024-01-03"]], "later.csv")
    result = import_file(entity="touches", path=later, by=None)
    assert (result.created, result.unchanged) == (1, 2)
    assert sorted(str(e) for e in Touch.objects.values_list("external_id", flat=True)) == [
        "m-1",
        "m-2",
        "m-3",
    ]
