import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accord.teams.models import User
from accord.teams.services import token_authenticate

pytestmark = pytest.mark.django_db


def test_it_creates_a_person_with_team_role_and_password():
    out = StringIO()
    call_command(
        "createuser",
        "nina",
        "--team",
        "sales",
        "--role",
        "rep",
        "--password",
        "Long-pass-42",
        stdout=out,
    )
    user = User.objects.get(username="nina")
    assert (user.team, user.role) == ("sales", "rep")
    assert user.check_password("Long-pass-42")
    assert "created nina" in out.getvalue()


def test_with_token_it_prints_a_working_token_on_the_last_line():
    out = StringIO()
    call_command(
        "createuser", "bot", "--team", "operations", "--role", "admin", "--token", stdout=out
    )
    raw = out.getvalue().strip().splitlines()[-1]
    assert token_authenticate(raw=raw) == User.objects.get(username="bot")


def test_it_refuses_a_duplicate_username(marketer):
    with pytest.raises(CommandError, match="already exists"):
        call_command("createuser", marketer.username, "--team", "sales", "--role", "rep")


def test_an_admin_can_use_the_admin_site():
    call_command(
        "createuser", "root2", "--team", "operations", "--role", "admin", stdout=StringIO()
    )
    user = User.objects.get(username="root2")
    assert user.is_staff and user.is_superuser


def test_the_cli_rejects_an_unknown_team_with_one_line_and_status_1(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "accord.cli",
            "createuser",
            "x",
            "--team",
            "pirates",
            "--role",
            "rep",
        ],
        capture_output=True,
        text=True,
        env={"ACCORD_HOME": str(tmp_path), "PATH": ""},
    )
    assert result.returncode == 1
    assert "pirates" in result.stderr
    assert "Traceback" not in result.stderr
