"""Acceptance 5: killing `accord import` mid-file and running it again ends with exactly the
file's rows (PostgreSQL, a real process killed with SIGKILL)."""

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from accord.funnel.models import Lead, StageChange

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
ROWS = 60_000
BATCH = 400


def _database_url() -> Any:
    db = connection.settings_dict
    auth = db["USER"] or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _write(path) -> Any:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["external_id", "email", "created_at", "mql_at"])
        for i in range(ROWS):
            writer.writerow([f"K-{i}", f"k{i}@crash.example", "2024-01-01 09:00", "2024-02-01"])


def _start(path, home) -> Any:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),  # the test database, not the developer's
        "ACCORD_IMPORT_BATCH": str(BATCH),
        "ACCORD_HOME": str(home),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "accord.cli", "import", "leads", str(path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_killed_import_leaves_whole_batches_and_a_rerun_completes_it(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://… to test a killed import")
    path = tmp_path / "leads.csv"
    _write(path)
    process = _start(path, tmp_path / "home")
    deadline = time.monotonic() + 120
    while Lead.objects.count() < 3 * BATCH:
        assert process.poll() is None, "the import ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    killed_at = Lead.objects.count()
    assert 0 < killed_at < ROWS
    assert killed_at % BATCH == 0  # whole batches only
    assert StageChange.objects.count() == 2 * killed_at

    rerun = _start(path, tmp_path / "home")
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    assert f"created {ROWS - killed_at:,}, updated 0, unchanged {killed_at:,}, rejected 0" in out
    assert Lead.objects.count() == ROWS
    assert Lead.objects.values("email").distinct().count() == ROWS
    assert StageChange.objects.filter(from_stage="").count() == ROWS
    assert StageChange.objects.filter(to_stage="mql").count() == ROWS
