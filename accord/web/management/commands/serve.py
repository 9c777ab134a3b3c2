from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the web server (gunicorn; WhiteNoise serves the static files)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("ACCORD_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        bind = f"{opts['host']}:{opts['port']}"
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "accord.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(opts["workers"]),
            "--access-logfile",
            "-",
            "--timeout",
            "120",
        ]
        sys.stdout.flush()
        os.execv(sys.executable, argv)
