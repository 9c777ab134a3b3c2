"""Acceptance 4 through the command: every good row lands, every bad one is reported."""

import csv
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accord.campaigns.models import Touch
from accord.funnel.models import Lead

from .helpers import fixture

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def _run(*args) -> Any:
    out, err = StringIO(), StringIO()
    call_command("import_csv", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_lands_the_good_rows_and_writes_each_bad_one_with_its_reason(tmp_path):
    errors = tmp_path / "errors.csv"
    out, _ = _run("leads", fixture("bad_leads.csv"), "--errors", errors)
    assert "created 6, updated 0, unchanged 0, rejected 4" in out
    assert f"rejected rows written to {errors}" in out
    assert set(Lead.objects.values_list("external_id", flat=True)) == {
        "L-1",
        "L-2",
        "L-4",
        "L-6",
        "L-8",
        "L-10",
    }
    with errors.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["row", "column", "value", "reason"]
    assert [r[:3] for r in rows[1:]] == [
        ["4", "email", ""],
        ["6", "created_at", "the 5th of Feb"],
        ["8", "stage", "hot prospect"],
        ["10", "Seats", "lots"],
    ]
    reasons = [r[3] for r in rows[1:]]
    assert reasons[0] == "a lead needs an email or an external id"
    assert "'the 5th of Feb' is not a date" in reasons[1]
    assert "unknown stage 'hot prospect'" in reasons[2]
    assert "'lots' is not a number" in reasons[3]


def test_it_reports_a_touch_whose_lead_does_not_exist():
    _run("leads", fixture("bad_leads.csv"))
    out, err = _run("touches", fixture("bad_touches.csv"))
    assert "created 2, updated 0, unchanged 0, rejected 1" in out
    assert "row 3, column 'lead_external_id': no lead with external id 'L-404'" in err
    assert set(Touch.objects.values_list("external_id", flat=True)) == {"T-1", "T-3"}


def test_without_an_errors_file_it_prints_the_rejections():
    _, err = _run("leads", fixture("bad_leads.csv"))
    assert err.splitlines()[0] == ("row 4, column 'email': a lead needs an email or an external id")
    assert len(err.splitlines()) == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lead", "x.csv"], "unknown record type 'lead'"),
        (["leads", "/no/such/file.csv"], "no such file: /no/such/file.csv"),
        (
            ["leads", fixture("bad_leads.csv"), "--preset", "pipedrive"],
            "unknown preset 'pipedrive'",
        ),
        (["leads", fixture("bad_leads.csv"), "--mapping", "/no/map.json"], "no such mapping file"),
    ],
)
def test_it_refuses_bad_input_with_a_reason(args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_a_bad_mapping_is_refused_with_the_column_at_fault(tmp_path):
    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"columns": {"Seats": "seat_count"}}')
    with pytest.raises(CommandError, match="column 'Seats' maps to 'seat_count'"):
        _run("leads", fixture("bad_leads.csv"), "--mapping", mapping)


def test_the_accord_command_exits_1_with_one_line_for_a_missing_file(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "accord.cli", "import", "leads", str(tmp_path / "none.csv")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "ACCORD_HOME": str(tmp_path / "home")},
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"CommandError: no such file: {tmp_path / 'none.csv'}"
    ]
