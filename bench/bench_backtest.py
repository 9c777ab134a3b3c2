"""How long the backtest of a proposal takes on the demo workspace.

    uv run python bench/bench_backtest.py                       # SQLite, medium demo
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/accord_bench_backtest \\
        uv run python bench/bench_backtest.py --size medium

It works in a scratch workspace (``ACCORD_HOME=/tmp/accord-bench-backtest`` unless set; on
PostgreSQL the database DATABASE_URL names, created when missing), builds the demo workspace of
the size asked for when it holds no leads yet (later runs reuse it), then times what the
proposal page and ``accord scoring backtest`` compute: the open proposal's backtest beside the
version in force over the last 12 months (``backtest_compare``), and the version in force
alone. Each is run ``--repeat`` times; the best and the median are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ACCORD_HOME", "/tmp/accord-bench-backtest")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database DATABASE_URL names when it does not exist yet."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        return
    with psycopg.connect(
        host=str(config.get("HOST") or "127.0.0.1"),
        port=int(config.get("PORT") or 5432),
        user=str(config.get("USER") or "postgres"),
        password=str(config.get("PASSWORD") or "") or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        name = str(config["NAME"])
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def timed(label: str, repeat: int, run: object) -> None:
    assert callable(run)
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    print(
        f"{label}: best {min(times):.2f} s, median {statistics.median(times):.2f} s "
        f"over {repeat} runs; {result}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", choices=["small", "medium", "large"], default="medium")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    if os.environ.get("DATABASE_URL"):
        ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from accord.agreement.selectors import agreement_in_force, proposals_open
    from accord.campaigns.models import Touch
    from accord.funnel.models import Lead
    from accord.scoring.backtest import backtest_agreement, backtest_compare

    if not Lead.objects.exists():
        started = time.perf_counter()
        call_command("demo", "--no-serve", "--size", args.size, verbosity=0)
        print(f"built the {args.size} demo in {time.perf_counter() - started:.1f} s")
    in_force = agreement_in_force()
    proposal = proposals_open().first()
    if in_force is None or proposal is None:
        raise SystemExit("the workspace needs an agreement in force and an open proposal")
    print(
        f"{connection.vendor}: {Lead.objects.count():,} leads, {Touch.objects.count():,} touches; "
        f"proposal v{proposal.version} against v{in_force.version}, {args.months} months; "
        f"load average {os.getloadavg()[0]:.2f}"
    )

    def compare() -> str:
        results = backtest_compare(proposal=proposal, months=args.months)
        proposed, current = results["proposed"], results["in_force"]
        assert proposed is not None and current is not None
        return f"MQLs v{proposal.version} {proposed.total.mqls:,}, v{in_force.version} " + (
            f"{current.total.mqls:,}"
        )

    def alone() -> str:
        result = backtest_agreement(agreement=in_force, months=args.months)
        return f"MQLs {result.total.mqls:,}"

    timed("backtest_compare (proposal page, accord scoring backtest)", args.repeat, compare)
    timed("backtest of the version in force alone", args.repeat, alone)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
