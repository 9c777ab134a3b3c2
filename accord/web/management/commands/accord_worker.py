from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background worker (the django_tasks_db worker). Several may run at once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds between polls of the queue when idle",
        )
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")

    def handle(self, *args: Any, **opts: Any) -> None:
        from accord.agreement.tasks import nightly_schedule

        # The nightly sweep (decay, qualification, review reminders) books its next night
        # itself; a worker starting books the first one if none is booked.
        nightly_schedule()
        extra = ["--batch"] if opts["batch"] else []
        call_command("db_worker", "--interval", str(opts["interval"]), *extra)
