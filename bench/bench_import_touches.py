"""How fast `accord import touches` loads a CSV file, next to a raw bulk load of the same rows.

    ACCORD_HOME=/tmp/bench-sqlite uv run python bench/bench_import_touches.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/accord_bench \\
        ACCORD_HOME=/tmp/bench-pg uv run python bench/bench_import_touches.py

It generates (once, deterministically) a CSV of N touches over M leads, makes sure the M leads
exist, then in the same run measures on the configured database:

1. raw: the same rows, already resolved to lead ids, appended to the touch table by the fastest
   path the engine has (COPY on PostgreSQL, executemany in one transaction on SQLite), on the
   connection as configured;
2. on SQLite, raw again with the session settings the import gives itself (a 64 MiB page cache
   and spaced-out checkpoints), so the import's own overhead can be read off too;
3. import: `accord import touches FILE` in a subprocess, wall clock, start-up included.

and prints rows/s for each and the ratios (the target is at least 50 % of raw). It only ever
deletes the touches it wrote itself (external ids starting with "bench-"); a PostgreSQL database
named in DATABASE_URL is created when missing. Without ACCORD_HOME, SQLite runs in
/tmp/accord-bench.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ACCORD_HOME", "/tmp/accord-bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")

KINDS = ["page_view", "email_open", "email_click", "form_submit", "content_download", "webinar"]
CHANNELS = ["organic_search", "paid_search", "email", "paid_social", "direct", ""]
PAGES = ["/pricing", "/features", "/blog/funnel-math", "/customers", "/docs/import", ""]
PREFIX = "bench-"


def ensure_postgres_database(url: str) -> None:
    """Create the database DATABASE_URL names, connecting to the server's maintenance database."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    with psycopg.connect(
        host=str(config.get("HOST") or "127.0.0.1"),
        port=int(config.get("PORT") or 5432),
        user=str(config.get("USER") or "postgres"),
        password=str(config.get("PASSWORD") or ""),
        dbname="postgres",
        autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def generate(path: Path, rows: int, leads: int, seed: int) -> None:
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    span = 365 * 24 * 3600
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["external_id", "lead_external_id", "kind", "channel", "content", "at"])
        for i in range(rows):
            at = start + timedelta(seconds=rng.randrange(span))
            writer.writerow(
                [
                    f"{PREFIX}t{i}",
                    f"{PREFIX}lead-{rng.randrange(leads)}",
                    rng.choice(KINDS),
                    rng.choice(CHANNELS),
                    rng.choice(PAGES),
                    at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                ]
            )


def ensure_leads(count: int) -> dict[str, int]:
    from django.db import transaction
    from django.utils import timezone

    from accord.bulk import copy_rows
    from accord.funnel.models import Lead
    from accord.imports.base import table_shape

    def stored() -> dict[str, int]:
        rows = Lead.objects.filter(external_id__startswith=PREFIX).values_list("external_id", "id")
        return {str(ext): pk for ext, pk in rows}

    have = stored()
    missing = [f"{PREFIX}lead-{i}" for i in range(count) if f"{PREFIX}lead-{i}" not in have]
    if missing:
        shape = table_shape(Lead)
        now = timezone.now()
        with transaction.atomic():
            for start in range(0, len(missing), 10_000):
                rows = [
                    shape.row(
                        {
                            "external_id": ext,
                            "created_at": now,
                            "updated_at": now,
                            "stage_changed_at": now,
                        }
                    )
                    for ext in missing[start : start + 10_000]
                ]
                copy_rows(shape.table, shape.columns, rows)
        print(f"created {len(missing):,} leads")
        have = stored()
    return have


def clear_touches() -> None:
    """Remove the touches a previous measurement wrote, leaving the table as fast as new."""
    from django.db import connection

    from accord.campaigns.models import Touch

    others = Touch.objects.exclude(external_id__startswith=PREFIX).exists()
    table = Touch._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if others:
                cursor.execute(f"DELETE FROM {table} WHERE external_id LIKE %s", [PREFIX + "%"])
                cursor.execute(f"VACUUM ANALYZE {table}")
            else:
                cursor.execute(f"TRUNCATE {table}")
        else:
            cursor.execute(f"DELETE FROM {table} WHERE external_id LIKE %s", [PREFIX + "%"])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def raw_rows(path: Path, leads: dict[str, int]) -> list[tuple[Any, ...]]:
    """The file's rows as the touch table receives them, resolved outside the measurement."""
    from accord.imports.base import db_datetime

    out = []
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for ext, lead, kind, channel, content, at in reader:
            when = datetime.fromisoformat(at)
            out.append((ext, leads[lead], kind, channel, None, content, db_datetime(when)))
    return out


def measure_raw(rows: list[tuple[Any, ...]], *, tuned: bool = False) -> float:
    """Seconds to append ``rows`` in one transaction; ``tuned`` gives the SQLite session the
    settings the import gives its own (page cache, checkpoint spacing)."""
    from django.db import connection, transaction

    from accord.bulk import copy_rows
    from accord.campaigns.models import Touch
    from accord.imports.engine import _bulk_session

    columns = ["external_id", "lead_id", "kind", "channel", "campaign_id", "content", "at"]
    with _bulk_session() if tuned else contextlib.nullcontext():
        started = time.perf_counter()
        with transaction.atomic():
            copy_rows(Touch._meta.db_table, columns, rows)
        elapsed = time.perf_counter() - started
    if connection.vendor == "sqlite":
        connection.close()  # the next measurement starts from a fresh session
    return elapsed


def measure_import(path: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "accord.cli", "import", "touches", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"accord import failed:\n{done.stderr}")
    return elapsed, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="touches in the file")
    parser.add_argument("--leads", type=int, default=50_000, help="existing leads they belong to")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL")
    if url:
        ensure_postgres_database(url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    home = Path(settings.ACCORD_HOME)
    path = home / f"bench-touches-{args.rows}-{args.leads}-{args.seed}.csv"
    if not path.exists():
        print(f"generating {path} …")
        generate(path, args.rows, args.leads, args.seed)
    leads = ensure_leads(args.leads)
    engine = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    raw_name = "COPY" if connection.vendor == "postgresql" else "executemany, one transaction"

    rows = raw_rows(path, leads)
    clear_touches()
    raw_seconds = measure_raw(rows)
    clear_touches()
    tuned_seconds = measure_raw(rows, tuned=True) if connection.vendor == "sqlite" else None
    del rows
    clear_touches()
    connection.close()  # the subprocess must not wait on our connection

    import_seconds, summary = measure_import(path)
    clear_touches()

    raw_rate = args.rows / raw_seconds
    import_rate = args.rows / import_seconds
    batch = settings.ACCORD_IMPORT_BATCH
    print(f"{engine}, {args.rows:,} touches over {args.leads:,} leads (batches of {batch:,})")
    print(f"  raw ({raw_name}): {raw_seconds:8.1f} s  {raw_rate:>10,.0f} rows/s")
    if tuned_seconds is not None:
        tuned_rate = args.rows / tuned_seconds
        print(
            f"  raw, with the import's session settings: {tuned_seconds:8.1f} s  "
            f"{tuned_rate:>10,.0f} rows/s"
        )
    print(f"  accord import touches: {import_seconds:8.1f} s  {import_rate:>10,.0f} rows/s")
    print(f"  import ÷ raw: {import_rate / raw_rate:.0%}")
    if tuned_seconds is not None:
        print(f"  import ÷ raw with the same session settings: {import_rate / tuned_rate:.0%}")
    print(f"  ({summary})")


if __name__ == "__main__":
    main()
