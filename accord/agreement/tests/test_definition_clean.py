import pytest

from accord.agreement.definitions import definition_clean, definition_describe
from accord.agreement.services import persona_create
from accord.errors import AccordError

pytestmark = pytest.mark.django_db

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


def test_a_valid_definition_comes_back_normalised():
    cleaned = definition_clean(EXAMPLE)
    assert cleaned[0] == EXAMPLE[0]
    assert cleaned[1] == [
        {
            "field": "touches",
            "op": "at_least",
            "value": 1,
            "kinds": ["demo_request"],
            "channels": [],
            "within_days": 90,
        }
    ]
    assert definition_clean(cleaned) == cleaned


def test_none_and_an_empty_list_are_no_definition():
    assert definition_clean(None) == []
    assert definition_clean([]) == []


def test_criteria_conditions_are_validated_like_persona_criteria():
    cleaned = definition_clean(
        [
            [
                {"field": "title", "op": "contains", "value": "VP"},
                {"field": "account.employees", "op": "between", "value": [50, None]},
            ]
        ]
    )
    assert cleaned == [
        [
            {"field": "title", "op": "contains", "value": ["VP"]},
            {"field": "account.employees", "op": "between", "value": [50, None]},
        ]
    ]


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ({"field": "score"}, "mql_definition must be a list of groups"),
        ([[]], "group 1 must be a non-empty list"),
        ([[{"field": "score", "op": "at_least", "value": 1}], "x"], "group 2 must be"),
        (
            [[{"field": "score", "op": "above", "value": 60}]],
            "group 1, condition 1 (score): unknown op",
        ),
        ([[{"field": "fit", "op": "between", "value": [40, 10]}]], "min ≤ max"),
        ([[{"field": "score", "op": "at_least", "value": "sixty"}]], "whole number"),
        ([[{"field": "score", "op": "at_least", "value": True}]], "whole number"),
        (
            [
                [
                    {"field": "score", "op": "at_least", "value": 1},
                    {"field": "touches", "op": "at_least", "value": 1, "kinds": ["fax"]},
                ]
            ],
            "group 1, condition 2 (touches): unknown kind 'fax'",
        ),
        ([[{"field": "touches", "op": "at_least", "value": 0}]], "from 1"),
        ([[{"field": "touches", "op": "at_most", "value": 3}]], "touches take at_least"),
        ([[{"field": "touches", "op": "at_least", "value": 1, "within_days": 0}]], "within_days"),
        ([[{"field": "touches", "op": "at_least", "value": 1, "since": 3}]], "unknown key 'since'"),
        ([[{"field": "salary", "op": "equals", "value": 3}]], "unknown field 'salary'"),
        ([[{"field": "persona", "op": "equals", "value": 999999}]], "no persona with id 999999"),
        (["score ≥ 60"], "group 1 must be a non-empty list"),
        ([["score ≥ 60"]], "each condition is an object"),
    ],
)
def test_a_bad_definition_is_refused_naming_the_group_and_condition(definition, message):
    with pytest.raises(AccordError) as caught:
        definition_clean(definition)
    assert message in caught.value.message
    assert "mql_definition" in caught.value.fields


def test_the_error_names_the_definition_it_was_given():
    with pytest.raises(AccordError) as caught:
        definition_clean([[{"field": "score", "op": "above", "value": 1}]], name="sql_definition")
    assert caught.value.message.startswith("sql_definition, group 1")
    assert list(caught.value.fields) == ["sql_definition"]


def test_the_example_reads_as_one_line_per_group():
    assert definition_describe(definition_clean(EXAMPLE)) == [
        "score ≥ 60 and fit ≥ 30",
        "at least 1 demo request in the last 90 days",
    ]


def test_every_kind_of_condition_has_a_readable_line(marketer):
    persona = persona_create(by=marketer, name="Economic buyer")
    definition = definition_clean(
        [
            [
                {"field": "engagement", "op": "between", "value": [10, 40]},
                {"field": "score", "op": "at_most", "value": 90},
                {"field": "persona", "op": "in", "value": [persona.pk]},
            ],
            [
                {
                    "field": "touches",
                    "op": "at_least",
                    "value": 3,
                    "kinds": ["page_view", "email_click"],
                    "channels": ["email", "paid_search"],
                },
                {"field": "touches", "op": "at_least", "value": 2},
            ],
            [
                {"field": "title", "op": "contains", "value": ["VP", "Head"]},
                {"field": "account.industry", "op": "in", "value": ["Software", "Fintech"]},
                {"field": "account.employees", "op": "between", "value": [50, 1000]},
                {"field": "account.is_target", "op": "equals", "value": True},
                {"field": "phone", "op": "is_set", "value": False},
            ],
        ]
    )
    assert definition_describe(definition) == [
        "engagement between 10 and 40 and score ≤ 90 and persona is Economic buyer",
        "at least 3 page views or email clicks through email or paid search and at least 2 touches",
        "title contains “VP” or “Head” and industry is Software or Fintech "
        "and employees between 50 and 1,000 and target account is yes and phone is not set",
    ]


def test_no_definition_describes_as_no_lines():
    assert definition_describe([]) == []
