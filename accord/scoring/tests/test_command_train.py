"""`accord scoring train`: the report as JSON or a table; exit 1 with one line on bad input."""

import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from accord.cli import main
from accord.funnel.tests.factories import make_lead
from accord.scoring.models import PredictiveModel

from .history import build_history

pytestmark = pytest.mark.django_db

DESIGN_KEYS = {
    "auc",
    "sensitivity",
    "specificity",
    "cutoff",
    "deciles",
    "top_features",
    "leakage_warnings",
}


def test_it_prints_the_report_as_json(capsys):
    build_history(leads=220, seed=51)

    call_command(
        "scoring", "train", "--target", "sql", "--exclude", "sales_status", "--format", "json"
    )

    report = json.loads(capsys.readouterr().out)
    assert set(report) >= DESIGN_KEYS
    assert isinstance(report["auc"], float)
    assert isinstance(report["cutoff"], float)
    assert len(report["deciles"]) == 10
    assert {"decile", "leads", "reached", "rate", "score_min", "score_max"} == set(
        report["deciles"][0]
    )
    assert {"feature", "importance", "std", "leakage"} == set(report["top_features"][0])
    assert report["leakage_warnings"] == []
    assert report["model_id"] == PredictiveModel.objects.get().pk
    assert report["excluded"] == ["prop.sales_status"]
    for key in ("model", "calibration", "n_train", "n_test", "suggested_weights", "features"):
        assert key in report


def test_it_prints_a_table_with_the_warnings_by_default(capsys):
    build_history(leads=220, seed=52)

    call_command("scoring", "train", "--target", "sql", "--holdout", "0.25", "--seed", "4")

    out = capsys.readouterr().out
    assert "Held-out ROC AUC" in out
    assert "Conversion by score decile" in out
    assert "! prop.sales_status:" in out
    assert "Features used (" in out


def test_too_little_history_is_a_one_line_error():
    for _ in range(5):
        make_lead()

    with pytest.raises(CommandError) as error:
        call_command("scoring", "train", "--target", "sql")

    assert str(error.value).startswith("too little history to train: 0 leads")
    assert "\n" not in str(error.value)
    assert PredictiveModel.objects.count() == 0


def test_the_cli_exits_1_with_one_line_and_no_traceback_on_an_empty_workspace(tmp_path):
    env = {"ACCORD_HOME": str(tmp_path), "PATH": ""}
    migrate = [sys.executable, "-m", "accord.cli", "migrate", "-v", "0"]
    subprocess.run(migrate, check=True, capture_output=True, env=env)

    result = subprocess.run(
        [sys.executable, "-m", "accord.cli", "scoring", "train", "--target", "sql"],
        capture_output=True,
        text=True,
        env=env,
    )

    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "too little history to train" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_single_outcome_class_is_too_little_history():
    build_history(leads=60, seed=53)
    with pytest.raises(CommandError, match="too little history to train"):
        call_command("scoring", "train", "--target", "customer")


@pytest.mark.parametrize(
    "argv",
    [
        ["scoring", "train", "--target", "nowhere"],
        ["scoring", "train"],
        ["scoring"],
    ],
)
def test_bad_options_exit_1(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 1
    assert "Traceback" not in capsys.readouterr().err


def test_a_holdout_that_is_not_a_number_is_refused():
    with pytest.raises(CommandError, match="'a third' is not a number"):
        call_command("scoring", "train", "--target", "sql", "--holdout", "a third")
