import io
import socket
import subprocess

import pytest
from django.core.management import CommandError, call_command

from accord.demo.catalogue import DEMO_PASSWORD
from accord.demo.management.commands import demo as demo_command
from accord.funnel.models import Deal, Lead
from accord.funnel.services import lead_create
from accord.teams.models import User

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_it_builds_the_demo_and_prints_a_login_per_role():
    output = run("--no-serve", "--size", "small")
    assert Lead.objects.count() == 2000
    assert "Built in" in output
    assert "The agreement: v1 in force, signed by both heads; proposal v2 signed by marketing" in (
        output
    )
    assert "The predictive model trains in the background" in output
    lines = [line.split() for line in output.splitlines()]
    logins = [line for line in lines if len(line) == 4 and line[1] == DEMO_PASSWORD]
    assert [(u, team, role) for u, _, team, role in logins] == [
        ("maya", "Marketing", "Head"),
        ("leo", "Marketing", "Member"),
        ("daniel", "Sales", "Head"),
        ("ravi", "Sales", "Rep"),
        ("grace", "Leadership", "Head"),
        ("owen", "Operations", "Admin"),
    ]


def test_running_it_again_keeps_the_workspace_as_it_is():
    run("--no-serve", "--size", "tiny")
    counts = (Lead.objects.count(), Deal.objects.count(), User.objects.count())
    output = run("--no-serve", "--size", "tiny")
    assert "already holds 200 leads" in output
    assert "Built in" not in output
    assert (Lead.objects.count(), Deal.objects.count(), User.objects.count()) == counts
    assert "maya" in output  # the logins are printed again


def test_it_does_not_build_over_a_workspace_that_has_data():
    lead_create(by=None, email="real@customer.example")
    output = run("--no-serve", "--size", "tiny")
    assert "already holds 1 leads" in output
    assert "The agreement" not in output
    assert "no demo logins" in output
    assert Lead.objects.count() == 1


def test_it_rejects_an_unknown_size_in_one_line():
    with pytest.raises(CommandError, match="unknown size 'huge': choose small, medium, large"):
        run("--no-serve", "--size", "huge")


def test_it_refuses_a_port_that_is_in_use_before_building_anything():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"port {port} on 127.0.0.1 is in use"):
            run("--size", "tiny", "--port", str(port))
    assert not Lead.objects.exists()


class FakeProcess:
    """Stands in for the worker or the web server."""

    def __init__(self, argv: list[str], on_wait: object = 0) -> None:
        self.argv = argv
        self.on_wait = on_wait
        self.returncode: int | None = None
        self.terminated = False

    def poll(self):
        return self.returncode

    def wait(self, timeout=None):
        if isinstance(self.on_wait, BaseException) and not self.terminated:
            raise self.on_wait
        if self.returncode is None and isinstance(self.on_wait, int):
            self.returncode = self.on_wait
        return self.returncode

    def terminate(self):
        self.terminated = True
        self.returncode = -15

    def kill(self):  # pragma: no cover - only when terminate is ignored
        self.returncode = -9


@pytest.fixture
def processes(monkeypatch):
    started = []
    outcome = {"server": 0}

    def popen(argv, **kwargs):
        role = "worker" if "worker" in argv else "server"
        process = FakeProcess(argv, on_wait=outcome[role] if role == "server" else 0)
        started.append((role, process))
        return process

    monkeypatch.setattr(subprocess, "Popen", popen)
    monkeypatch.setattr(demo_command, "check_port_free", lambda host, port: None)
    return started, outcome


def test_it_starts_the_worker_and_the_server_and_prints_the_url(processes):
    started, _ = processes
    output = run("--size", "tiny", "--port", "8123", "--host", "127.0.0.1")
    roles = dict(started)
    assert roles["worker"].argv[-1] == "worker"
    assert roles["server"].argv[-5:] == ["serve", "--host", "127.0.0.1", "--port", "8123"]
    assert "Accord is running at http://127.0.0.1:8123/" in output
    assert "owen" in output


def test_ctrl_c_stops_the_server_and_the_worker_cleanly(processes):
    started, outcome = processes
    outcome["server"] = KeyboardInterrupt()
    output = run("--size", "tiny")
    roles = dict(started)
    assert roles["worker"].terminated
    assert roles["server"].terminated
    assert "Stopped." in output


def test_the_worker_stops_when_the_server_fails(processes):
    started, outcome = processes
    outcome["server"] = 3
    with pytest.raises(CommandError, match="the web server stopped with exit status 3"):
        run("--size", "tiny")
    assert dict(started)["worker"].terminated
