"""GET /scoring/backtest: a version's backtest beside the version in force."""

from __future__ import annotations

from typing import Any

import pytest

from accord.scoring.backtest import backtest
from accord.teams.services import token_create

from .backtest_history import DEFINITION
from .test_command_backtest import STRICTER, versions  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(sales_rep: Any) -> dict[str, str]:
    _, raw = token_create(user=sales_rep, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def test_it_backtests_a_proposal_beside_the_version_in_force(client, auth, versions):  # noqa: F811
    in_force, _ = versions

    response = client.get("/api/v1/scoring/backtest", {"agreement": 2, "months": 4}, headers=auth)

    assert response.status_code == 200
    body = response.json()
    assert (body["agreement"], body["months"]) == (2, 4)
    assert body["proposed"]["version"] == 2
    assert body["proposed"]["definition"] == STRICTER
    assert body["in_force"]["version"] == 1
    expected = backtest(definition=DEFINITION, model=in_force.scoring_model, months=4)
    assert body["in_force"]["total"] == expected.total.as_dict()
    assert [m["mqls"] for m in body["in_force"]["months"]] == [
        m.total.mqls for m in expected.months
    ]
    segments = {k: v.as_dict() for k, v in expected.segments.items()}
    assert body["in_force"]["segments"] == segments
    assert body["in_force"]["months"][-1]["partial"] is True


def test_without_a_version_it_backtests_the_version_in_force(client, auth, versions):  # noqa: F811
    response = client.get("/api/v1/scoring/backtest", headers=auth)

    assert response.status_code == 200
    body = response.json()
    assert (body["agreement"], body["months"]) == (1, 12)
    assert len(body["proposed"]["months"]) == 12
    assert body["in_force"] is None


def test_with_nothing_in_force_it_asks_for_a_version(client, auth):
    response = client.get("/api/v1/scoring/backtest", headers=auth)

    assert response.status_code == 400
    assert response.json()["errors"] == {"agreement": ["required while no agreement is in force"]}


@pytest.mark.parametrize("months", [0, 37, "twelve"])
def test_a_window_out_of_range_is_refused(client, auth, months):
    response = client.get("/api/v1/scoring/backtest", {"months": months}, headers=auth)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["months"]


def test_an_unknown_version_is_404(client, auth, versions):  # noqa: F811
    response = client.get("/api/v1/scoring/backtest", {"agreement": 9}, headers=auth)

    assert response.status_code == 404
    assert response.json() == {"detail": "no agreement v9", "errors": {}}


def test_it_needs_a_token_or_a_session(client):
    response = client.get("/api/v1/scoring/backtest")

    assert response.status_code == 401
