"""The ``accord`` command: a thin front door to the management commands that hold the logic."""

from __future__ import annotations

import os
import sys

USAGE = """usage: accord COMMAND [options]

commands:
  demo          build the demo workspace and start Accord (--no-serve, --port, --size)
  serve         run the web server (--host, --port)
  worker        run the background worker
  migrate       create or upgrade the database
  createuser    add a person (USERNAME --team T --role R [--password P] [--token])
  import        import a CSV file ({accounts|leads|deals|campaigns|touches} FILE)
  scoring       the lead score (train --target STAGE, backtest, apply)
  agreement     the agreement (show [VERSION], remind)

Any other Django management command works too (e.g. `accord check`).
Run `accord COMMAND --help` for a command's options.
"""

# CLI name → management command name, where they differ.
ALIASES = {"import": "import_csv", "worker": "accord_worker", "serve": "serve"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    from django.core.management import execute_from_command_line

    command = ALIASES.get(argv[0], argv[0])
    try:
        execute_from_command_line(["accord", command, *argv[1:]])
    except SystemExit as exc:
        # argparse exits 2 on a bad option; Accord's contract is 1 for any bad input.
        if exc.code == 2:
            sys.exit(1)
        raise


if __name__ == "__main__":
    main()
