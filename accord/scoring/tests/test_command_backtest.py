"""`accord scoring backtest`: a version side by side with the version in force, as a table or
as JSON; exit 1 with one line on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accord.agreement.models import Agreement, AgreementStatus, ModelStatus
from accord.cli import main
from accord.scoring.backtest import backtest

from .backtest_history import DEFINITION, build_history

pytestmark = pytest.mark.django_db

STRICTER = [[{"field": "score", "op": "at_least", "value": 70}]]


@pytest.fixture
def versions() -> tuple[Agreement, Agreement]:
    """v1 in force with the history's model and definition; v2, a proposal with a stricter
    definition on the same model."""
    history = build_history(now=timezone.now(), leads=90, seed=11)
    history.model.status = ModelStatus.IN_FORCE
    history.model.save()
    in_force = Agreement.objects.create(
        version=1,
        title="First",
        status=AgreementStatus.IN_FORCE,
        mql_definition=DEFINITION,
        scoring_model=history.model,
    )
    proposal = Agreement.objects.create(
        version=2,
        title="Stricter",
        based_on=in_force,
        mql_definition=STRICTER,
        scoring_model=history.model,
    )
    return in_force, proposal


def _json(capsys: Any, *argv: str) -> dict[str, Any]:
    call_command("scoring", "backtest", *argv, "--format", "json")
    return dict(json.loads(capsys.readouterr().out))


def test_it_prints_a_proposal_beside_the_version_in_force_as_json(versions, capsys):
    in_force, _ = versions

    report = _json(capsys, "--agreement", "2", "--months", "6")

    assert report["agreement"] == 2 and report["months"] == 6
    assert report["proposed"]["version"] == 2 and report["in_force"]["version"] == 1
    assert report["proposed"]["definition"] == STRICTER
    assert len(report["proposed"]["months"]) == len(report["in_force"]["months"]) == 6
    expected = backtest(definition=DEFINITION, model=in_force.scoring_model, months=6)
    assert report["in_force"]["total"] == expected.total.as_dict()
    assert [m["mqls"] for m in report["in_force"]["months"]] == [
        m.total.mqls for m in expected.months
    ]
    assert report["in_force"]["total"]["mqls"] > report["proposed"]["total"]["mqls"]
    month = report["in_force"]["months"][-1]
    assert month["partial"] is True
    assert set(month) >= {"month", "mqls", "sal", "sql", "customer", "sal_rate", "segments"}


def test_without_an_agreement_it_backtests_the_version_in_force_alone(versions, capsys):
    report = _json(capsys)

    assert report["agreement"] == 1 and report["months"] == 12
    assert report["proposed"]["version"] == 1
    assert report["in_force"] is None


def test_it_prints_a_table_with_both_versions_by_default(versions, capsys):
    call_command("scoring", "backtest", "--agreement", "2", "--months", "3")

    out = capsys.readouterr().out
    assert "Backtest of agreement v2 (proposal) against v1 (in force)" in out
    assert "v2 MQL definition (scoring model v1), met by any of:\n  - score ≥ 70\n" in out
    assert "\n  - at least 1 demo request in the last 30 days\n" in out
    assert "v2 MQLs" in out and "v1 MQLs" in out
    assert "Per account segment" in out and "Enterprise" in out
    assert "* the current month, so far" in out
    assert len([line for line in out.splitlines() if line[:4].isdigit()]) == 3


def test_an_unknown_version_is_a_one_line_error(versions):
    with pytest.raises(CommandError, match=r"^there is no agreement v9$"):
        call_command("scoring", "backtest", "--agreement", "9")


def test_a_window_out_of_range_is_a_one_line_error(versions):
    with pytest.raises(CommandError, match="months must be a whole number from 1 to 36"):
        call_command("scoring", "backtest", "--months", "0")


def test_with_nothing_in_force_it_asks_for_a_version(db):
    with pytest.raises(CommandError, match="no agreement is in force yet"):
        call_command("scoring", "backtest")


def test_the_cli_exits_1_with_one_line_and_no_traceback(tmp_path):
    env = {"ACCORD_HOME": str(tmp_path), "PATH": ""}
    migrate = [sys.executable, "-m", "accord.cli", "migrate", "-v", "0"]
    subprocess.run(migrate, check=True, capture_output=True, env=env)

    result = subprocess.run(
        [sys.executable, "-m", "accord.cli", "scoring", "backtest", "--agreement", "4"],
        capture_output=True,
        text=True,
        env=env,
    )

    assert result.returncode == 1
    assert result.stderr.strip() == "CommandError: there is no agreement v4"


@pytest.mark.parametrize(
    "argv",
    [
        ["scoring", "backtest", "--months", "twelve"],
        ["scoring", "backtest", "--format", "pdf"],
    ],
)
def test_bad_options_exit_1(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 1
    assert "Traceback" not in capsys.readouterr().err
