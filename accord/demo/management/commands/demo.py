"""``accord demo``: a ready-to-explore Accord in one command."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from accord.demo import catalogue
from accord.demo.generator import (
    DEFAULT_SEED,
    PUBLIC_SIZES,
    SIZES,
    demo_build,
    demo_logins,
)
from accord.errors import AccordError
from accord.funnel.models import Lead


class Command(BaseCommand):
    help = (
        "Create the database, build the demo workspace (Northwind Analytics, a year of history) "
        "if it is empty, then run the web server and the worker and print the demo logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="build, print the logins and exit"
        )
        parser.add_argument("--host", default=os.environ.get("ACCORD_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--size",
            default="small",
            metavar="{small,medium,large}",
            help="about 2,000, 20,000 or 200,000 leads (default: small)",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="the same seed builds the same data"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        size: str = opts["size"]
        # "tiny" exists for tests; it works but is not advertised.
        if size not in SIZES:
            raise CommandError(f"unknown size {size!r}: choose {', '.join(PUBLIC_SIZES)}")
        if not opts["no_serve"]:
            if not 0 < opts["port"] < 65536:
                raise CommandError(f"port {opts['port']} is not a port number (1-65535)")
            check_port_free(opts["host"], opts["port"])  # before a build, not after it
        self.stdout.write(f"Database: {self.database_label()}")
        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        self.build(size=size, seed=opts["seed"])
        self.print_logins()
        if opts["no_serve"]:
            return
        self.serve(host=opts["host"], port=opts["port"])

    # --- building -------------------------------------------------------------------------------

    def database_label(self) -> str:
        if connection.vendor == "sqlite":
            return f"SQLite, {settings.DATABASES['default']['NAME']}"
        db = settings.DATABASES["default"]
        return f"{connection.display_name}, {db.get('NAME')} on {db.get('HOST') or 'localhost'}"

    def build(self, *, size: str, seed: int) -> None:
        if Lead.objects.exists():
            self.stdout.write(
                f"The database already holds {Lead.objects.count():,} leads: keeping it as it "
                "is (the demo workspace is built only into an empty database)."
            )
            return
        self.stdout.write(
            f"Building the demo workspace: {catalogue.COMPANY}, a year of history, "
            f"about {SIZES[size]:,} leads…"
        )
        tty = self.stdout.isatty()

        def progress(done: int, total: int) -> None:
            if tty:
                self.stdout.write(f"\r  {done:,} of {total:,} leads", ending="")
                self.stdout.flush()

        try:
            summary = demo_build(size=size, seed=seed, progress=progress)
        except AccordError as exc:
            raise CommandError(str(exc)) from exc
        if tty:
            self.stdout.write("")
        self.stdout.write(
            f"Built in {summary.seconds:.1f} s: {summary.people} people, "
            f"{summary.campaigns} campaigns, {summary.accounts:,} accounts, "
            f"{summary.leads:,} leads, {summary.stage_changes:,} stage changes, "
            f"{summary.touches:,} touches, {summary.deals:,} deals."
        )
        if summary.proposal_version:
            self.stdout.write(
                f"The agreement: v{summary.agreement_version} in force, signed by both heads; "
                f"proposal v{summary.proposal_version} signed by marketing, awaiting sales; "
                f"{summary.personas} personas; {summary.qualified:,} leads qualified today."
            )
        if summary.training_enqueued:
            self.stdout.write(
                "The predictive model trains in the background: the worker stores it a minute "
                "after it starts (`accord demo` starts it; or run `accord worker`)."
            )

    def print_logins(self) -> None:
        logins = demo_logins()
        if not logins:
            self.stdout.write("This database has no demo logins: sign in with your own account.")
            return
        password = catalogue.DEMO_PASSWORD
        rows = [("username", "password", "team", "role")] + [
            (u.username, password, u.get_team_display(), u.get_role_display()) for u in logins
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write(
            "Demo logins (one per role; everyone in the demo team has this password):"
        )
        for row in rows:
            self.stdout.write(
                "  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
            )
        self.stdout.write("")

    # --- serving --------------------------------------------------------------------------------

    def serve(self, *, host: str, port: int) -> None:
        check_port_free(host, port)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "accord.settings"),
        }
        accord = [sys.executable, "-m", "accord.cli"]
        shown = "localhost" if host in ("0.0.0.0", "::", "") else host
        if ":" in shown:
            shown = f"[{shown}]"
        self.stdout.flush()
        with _terminate_on_sigterm():
            worker = subprocess.Popen([*accord, "worker"], env=env)
            try:
                server = subprocess.Popen(
                    [*accord, "serve", "--host", host, "--port", str(port)], env=env
                )
            except BaseException:
                stop(worker)
                raise
            self.stdout.write(
                self.style.SUCCESS(f"Accord is running at http://{shown}:{port}/")
                + "  (press Ctrl-C to stop)"
            )
            self.stdout.flush()
            interrupted = False
            try:
                status = server.wait()
            except KeyboardInterrupt:
                interrupted = True
                status = 0
                self.stdout.write("\nStopping…")
            finally:
                stop(server)
                stop(worker)
        if interrupted or status == 0:
            self.stdout.write("Stopped.")
            return
        raise CommandError(f"the web server stopped with exit status {status}")


def check_port_free(host: str, port: int) -> None:
    """Refuse early, with a clear message, when the address is taken or unknown."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM
        )[0]
    except socket.gaierror as exc:
        raise CommandError(f"cannot listen on host {host!r}: {exc.strerror}") from exc
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise CommandError(
                f"port {port} on {host} is in use or not available ({exc.strerror}); "
                "choose another with --port"
            ) from exc


def stop(process: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    """Ask a child process to stop, and make sure it does."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _terminate_on_sigterm() -> Iterator[None]:
    """Treat SIGTERM (a service manager stopping us) like Ctrl-C, so the children stop too."""
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
