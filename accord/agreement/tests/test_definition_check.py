"""definition_check (one lead, with the failed conditions in words) and leads_meeting (a set of
leads, set-based) agree on every lead."""

from datetime import UTC, datetime, timedelta

import pytest

from accord.agreement.definitions import definition_check, definition_clean, leads_meeting
from accord.agreement.services import persona_create, persona_match
from accord.campaigns.models import Touch
from accord.funnel.models import Lead
from accord.funnel.tests.factories import make_account, make_lead

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)

EXAMPLE = [
    [
        {"field": "score", "op": "at_least", "value": 60},
        {"field": "fit", "op": "at_least", "value": 30},
    ],
    [
        {
            "field": "touches",
            "op": "at_least",
            "value": 1,
            "kinds": ["demo_request"],
            "within_days": 90,
        }
    ],
]


def scored(lead: Lead, score: int, fit: int, engagement: int) -> Lead:
    Lead.objects.filter(pk=lead.pk).update(score=score, fit_score=fit, engagement_score=engagement)
    lead.refresh_from_db()
    return lead


def touch(lead: Lead, kind: str, at: datetime, channel: str = "") -> Touch:
    return Touch.objects.create(lead=lead, kind=kind, at=at, channel=channel)


def test_a_lead_meeting_one_group_meets_the_definition():
    lead = scored(make_lead(), 72, 35, 37)
    check = definition_check(lead=lead, definition=definition_clean(EXAMPLE), at=NOW)
    assert check.met
    assert check.failed == []


def test_a_lead_failing_lists_the_closest_groups_conditions_with_its_values():
    lead = scored(make_lead(), 42, 35, 7)
    check = definition_check(lead=lead, definition=definition_clean(EXAMPLE), at=NOW)
    assert not check.met
    # Group 1 fails one condition, group 2 one too: the first closest group is reported.
    assert check.failed == ["score ≥ 60 (is 42)"]


def test_the_closest_group_is_the_one_with_fewest_failures():
    lead = scored(make_lead(), 10, 5, 5)
    definition = definition_clean(
        [
            [
                {"field": "score", "op": "at_least", "value": 60},
                {"field": "fit", "op": "at_least", "value": 30},
            ],
            [{"field": "touches", "op": "at_least", "value": 2, "kinds": ["demo_request"]}],
        ]
    )
    touch(make_lead(), "demo_request", NOW - timedelta(days=1))  # someone else's
    check = definition_check(lead=lead, definition=definition, at=NOW)
    assert check.failed == ["at least 2 demo requests (has 0)"]


def test_touches_count_as_of_the_time_given_within_the_window():
    lead = make_lead()
    touch(lead, "demo_request", NOW - timedelta(days=100))
    definition = definition_clean([EXAMPLE[1]])
    assert not definition_check(lead=lead, definition=definition, at=NOW).met
    assert definition_check(lead=lead, definition=definition, at=NOW - timedelta(days=20)).met
    # A touch after the time of evaluation does not count yet.
    touch(lead, "demo_request", NOW + timedelta(days=1))
    assert not definition_check(lead=lead, definition=definition, at=NOW).met
    failed = definition_check(lead=lead, definition=definition, at=NOW).failed
    assert failed == ["at least 1 demo request in the last 90 days (has 0)"]


def test_touch_kinds_and_channels_restrict_what_is_counted():
    lead = make_lead()
    touch(lead, "page_view", NOW - timedelta(days=1), channel="email")
    touch(lead, "page_view", NOW - timedelta(days=2), channel="paid_search")
    touch(lead, "email_click", NOW - timedelta(days=3), channel="email")
    by_channel = definition_clean(
        [[{"field": "touches", "op": "at_least", "value": 2, "channels": ["email"]}]]
    )
    by_kind = definition_clean(
        [[{"field": "touches", "op": "at_least", "value": 3, "kinds": ["page_view"]}]]
    )
    assert definition_check(lead=lead, definition=by_channel, at=NOW).met
    assert definition_check(lead=lead, definition=by_kind, at=NOW).failed == [
        "at least 3 page views (has 2)"
    ]


def test_field_and_persona_conditions_report_the_leads_values(marketer):
    buyer = persona_create(
        by=marketer,
        name="Economic buyer",
        criteria=[{"field": "title", "op": "contains", "value": "VP"}],
    )
    lead = make_lead(title="Engineer", account=make_account(employees=40))
    persona_match(lead=lead)
    definition = definition_clean(
        [
            [
                {"field": "title", "op": "contains", "value": ["VP", "Head"]},
                {"field": "account.employees", "op": "between", "value": [50, 1000]},
                {"field": "persona", "op": "equals", "value": buyer.pk},
                {"field": "phone", "op": "is_set", "value": True},
            ]
        ]
    )
    assert definition_check(lead=lead, definition=definition, at=NOW).failed == [
        "title contains “VP” or “Head” (is “Engineer”)",
        "employees between 50 and 1,000 (is 40)",
        "persona is Economic buyer (has no persona)",
        "phone is set (is empty)",
    ]


def test_scores_given_replace_the_stored_ones():
    lead = scored(make_lead(), 90, 50, 40)
    definition = definition_clean([EXAMPLE[0]])
    check = definition_check(lead=lead, definition=definition, at=NOW, scores=(20, 10, 10))
    assert check.failed == ["score ≥ 60 (is 20)", "fit ≥ 30 (is 10)"]
    assert leads_meeting(definition, at=NOW, scores={lead.pk: (20, 10, 10)}) == set()
    assert leads_meeting(definition, at=NOW, scores={lead.pk: (61, 30, 31)}) == {lead.pk}
    # A lead absent from the scores given scores 0.
    assert leads_meeting(definition, at=NOW, scores={}) == set()


def test_a_lead_absent_from_the_scores_given_scores_zero():
    lead = scored(make_lead(), 90, 50, 40)
    low = definition_clean([[{"field": "score", "op": "at_most", "value": 10}]])
    assert leads_meeting(low, at=NOW, scores={}) == {lead.pk}
    assert leads_meeting(low, at=NOW) == set()


def test_no_definition_is_met_by_no_lead():
    lead = scored(make_lead(), 100, 100, 0)
    assert leads_meeting([], at=NOW) == set()
    assert definition_check(lead=lead, definition=[], at=NOW).met is False


@pytest.fixture
def varied_leads(marketer):
    persona = persona_create(
        by=marketer,
        name="Leader",
        criteria=[{"field": "title", "op": "contains", "value": ["VP", "Head"]}],
    )
    accounts = [make_account(employees=30), make_account(employees=500), None]
    titles = ["VP Marketing", "Engineer", "Head of Ops", ""]
    kinds = ["demo_request", "page_view", "webinar"]
    leads = []
    for n in range(30):
        lead = make_lead(title=titles[n % 4], account=accounts[n % 3])
        scored(lead, (n * 7) % 101, (n * 13) % 60 - 10, (n * 5) % 50)
        persona_match(lead=lead)
        for k in range(n % 4):
            touch(lead, kinds[(n + k) % 3], NOW - timedelta(days=30 * k + n), channel="email")
        leads.append(lead)
    return persona, leads


DEFINITIONS = [
    EXAMPLE,
    [[{"field": "engagement", "op": "between", "value": [10, 30]}]],
    [
        [
            {"field": "title", "op": "contains", "value": "vp"},
            {"field": "touches", "op": "at_least", "value": 2, "within_days": 60},
        ],
        [{"field": "account.employees", "op": "between", "value": [100, None]}],
    ],
    [[{"field": "touches", "op": "at_least", "value": 3, "channels": ["email"]}]],
    [[{"field": "account.employees", "op": "is_set", "value": False}]],
]


@pytest.mark.parametrize("n", range(len(DEFINITIONS)))
def test_leads_meeting_agrees_with_definition_check_lead_by_lead(
    n, varied_leads, django_assert_max_num_queries
):
    _, leads = varied_leads
    definition = definition_clean(DEFINITIONS[n])
    with django_assert_max_num_queries(len(definition)):
        met = leads_meeting(definition, at=NOW)
    expected = {
        lead.pk for lead in leads if definition_check(lead=lead, definition=definition, at=NOW).met
    }
    assert met == expected
    assert 0 < len(met) < len(leads)  # the definitions discriminate, so the test can fail


def test_leads_meeting_agrees_with_definition_check_on_scores_given(varied_leads):
    persona, leads = varied_leads
    definition = definition_clean(
        [
            [
                {"field": "score", "op": "at_least", "value": 50},
                {"field": "persona", "op": "equals", "value": persona.pk},
            ],
            [{"field": "fit", "op": "at_most", "value": 0}],
        ]
    )
    scores = {lead.pk: (100 - lead.score, -lead.fit_score, 0) for lead in leads[::2]}
    met = leads_meeting(definition, at=NOW, scores=scores)
    expected = {
        lead.pk
        for lead in leads
        if definition_check(
            lead=lead, definition=definition, at=NOW, scores=scores.get(lead.pk, (0, 0, 0))
        ).met
    }
    assert met == expected
    assert 0 < len(met) < len(leads)


def test_leads_meeting_looks_only_at_the_leads_asked_about(varied_leads):
    _, leads = varied_leads
    definition = definition_clean([[{"field": "score", "op": "at_least", "value": 0}]])
    some = [lead.pk for lead in leads[:7]]
    assert leads_meeting(definition, at=NOW, lead_ids=some) == set(some)
    scores = dict.fromkeys(some, (80, 0, 0))
    top = definition_clean([[{"field": "score", "op": "at_least", "value": 50}]])
    assert leads_meeting(top, at=NOW, lead_ids=some[:3], scores=scores) == set(some[:3])


def test_many_scored_candidates_are_checked_in_one_query(
    varied_leads, monkeypatch, django_assert_max_num_queries
):
    _, leads = varied_leads
    monkeypatch.setattr("accord.agreement.definitions.ID_CHUNK", 4)
    top = definition_clean([[{"field": "score", "op": "at_least", "value": 50}]])
    scores = {lead.pk: (50 + n % 2, 0, 0) for n, lead in enumerate(leads)}
    scores[10**9] = (99, 0, 0)  # no such lead
    with django_assert_max_num_queries(1):
        met = leads_meeting(top, at=NOW, scores=scores)
    assert met == {lead.pk for lead in leads}
