"""How long rescoring every lead takes after a scoring model change, on PostgreSQL.

    uv run python bench/bench_rescore.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/accord_bench_rescore \\
        uv run python bench/bench_rescore.py --leads 1000000 --touches-per-lead 4 --repeat 3

It works in a scratch PostgreSQL database (``accord_bench_rescore`` on the local server unless
DATABASE_URL names another; created when missing, migrated), which it fills once, by COPY, with
N leads (``brs-`` external ids) at 20,000 accounts and on average T touches per lead over the last
year; later runs reuse them. It then matches personas, creates two scoring models of 10 rules
(6 fit, persona and custom property included; 4 engagement with caps and half-lives; the second
gives each rule a few points more or less, so switching changes almost every score), resets
every score to 0, and times ``rescore_all`` as the application calls it after a model change,
``--repeat`` times, alternating the two models (the lead table vacuumed before each, untimed, as
autovacuum would have). Last, it times a rescore with nothing changed. The target for a model
change is under 30 s at 1,000,000 leads. The load average is printed beside each figure: the
rescore is CPU-bound, and other work on the machine slows it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accord.agreement.models import ScoringModel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/accord_bench_rescore")
os.environ.setdefault("ACCORD_HOME", "/tmp/accord-bench-rescore")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")

PREFIX = "brs-"
ACCOUNTS = 20_000
INDUSTRIES = ["Software", "Retail", "Finance", "Healthcare", "Manufacturing", "Education"]
COUNTRIES = ["France", "Germany", "United States", "United Kingdom", "Spain", "Brazil"]
TITLES = [
    "VP Marketing",
    "Head of Sales",
    "Marketing Manager",
    "Sales Rep",
    "Engineer",
    "Student",
    "CFO",
    "Director of Revenue Operations",
    "",
]
SOURCES = ["organic_search", "paid_search", "webinar", "referral", "event", "import"]
KINDS = [
    "page_view",
    "page_view",
    "page_view",
    "email_open",
    "email_click",
    "content_download",
    "webinar",
    "form_submit",
    "demo_request",
]
CHANNELS = ["organic_search", "paid_search", "email", "paid_social", "direct", "webinar"]
CONTENT = ["/pricing", "/features", "/blog/funnel-math", "/customers", "/careers", "guide.pdf", ""]


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("bench_rescore needs PostgreSQL: set DATABASE_URL=postgres://…")
    with psycopg.connect(
        host=str(config.get("HOST") or "127.0.0.1"),
        port=int(config.get("PORT") or 5432),
        user=str(config.get("USER") or "postgres"),
        password=str(config.get("PASSWORD") or "") or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        name = config["NAME"]
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def fill(leads: int, touches_per_lead: float, seed: int) -> None:
    """COPY accounts, leads and touches into the scratch database, unless already there."""
    from django.db import connection, transaction

    from accord.campaigns.models import Touch
    from accord.funnel.models import Account, Lead

    existing = Lead.objects.filter(external_id__startswith=PREFIX).count()
    if existing >= leads:
        print(f"reusing {existing:,} leads")
        return
    if existing:
        raise SystemExit(
            f"the scratch database holds {existing:,} bench leads, fewer than {leads:,}; "
            "drop the database and run again"
        )
    rng = random.Random(seed)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            f"COPY {Account._meta.db_table} (external_id, name, domain, industry, employees, "
            "country, segment, is_target, properties, created_at, updated_at) FROM STDIN"
        ) as copy:
            for n in range(ACCOUNTS):
                copy.write_row(
                    (
                        f"{PREFIX}a{n}",
                        f"Bench company {n}",
                        f"bench{n}.example",
                        rng.choice(INDUSTRIES),
                        int(rng.lognormvariate(5, 1.6)) + 1,
                        rng.choice(COUNTRIES),
                        rng.choice(["smb", "mid_market", "enterprise"]),
                        rng.random() < 0.1,
                        json.dumps({"stack": rng.choice(["snowflake", "bigquery", "none"])}),
                        now,
                        now,
                    )
                )
        cursor.execute(
            f"SELECT id FROM {Account._meta.db_table} WHERE external_id LIKE %s", [PREFIX + "%"]
        )
        account_ids = [r[0] for r in cursor.fetchall()]
        with raw.copy(
            f"COPY {Lead._meta.db_table} (external_id, email, first_name, last_name, title, "
            "phone, source, account_id, stage, stage_changed_at, score, fit_score, "
            "engagement_score, properties, created_at, updated_at) FROM STDIN"
        ) as copy:
            for n in range(leads):
                created = now - timedelta(days=rng.uniform(0, 365))
                budget = {"budget": rng.choice([500, 5000, 50000])} if rng.random() < 0.3 else {}
                copy.write_row(
                    (
                        f"{PREFIX}l{n}",
                        f"lead{n}@bench.example",
                        "Pat",
                        f"Bench{n}",
                        rng.choice(TITLES),
                        "",
                        rng.choice(SOURCES),
                        rng.choice(account_ids) if rng.random() < 0.9 else None,
                        "lead",
                        created,
                        0,
                        0,
                        0,
                        json.dumps(budget),
                        created,
                        created,
                    )
                )
        print(
            f"copied {ACCOUNTS:,} accounts and {leads:,} leads "
            f"in {time.perf_counter() - started:.1f} s"
        )
        cursor.execute(
            f"SELECT id FROM {Lead._meta.db_table} WHERE external_id LIKE %s", [PREFIX + "%"]
        )
        lead_ids = [r[0] for r in cursor.fetchall()]
        total = 0
        with raw.copy(
            f"COPY {Touch._meta.db_table} (lead_id, kind, channel, content, at) FROM STDIN"
        ) as copy:
            for lead_id in lead_ids:
                for _ in range(int(rng.expovariate(1 / touches_per_lead))):
                    copy.write_row(
                        (
                            lead_id,
                            rng.choice(KINDS),
                            rng.choice(CHANNELS),
                            rng.choice(CONTENT),
                            now - timedelta(seconds=rng.uniform(0, 365 * 86400)),
                        )
                    )
                    total += 1
        print(f"copied {total:,} touches; {time.perf_counter() - started:.1f} s in all")
    with connection.cursor() as cursor:
        for model in (Account, Lead, Touch):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def build_model(bonus: int = 0) -> ScoringModel:
    """The benchmark's scoring model; ``bonus`` points more on every rule make a second model
    that changes almost every lead's score."""
    from accord.agreement.models import Persona
    from accord.agreement.services import (
        engagement_rule_create,
        fit_rule_create,
        persona_create,
        scoring_model_create,
    )
    from accord.funnel.models import PropertyDefinition
    from accord.funnel.services import property_define

    if not PropertyDefinition.objects.filter(entity="lead", key="budget").exists():
        property_define(by=None, entity="lead", key="budget", label="Budget", type="number")
    if not PropertyDefinition.objects.filter(entity="account", key="stack").exists():
        property_define(by=None, entity="account", key="stack", label="Stack", type="text")
    personas = {
        "Revenue leader": [
            {"field": "title", "op": "contains", "value": ["VP", "Head", "Director"]},
            {"field": "account.employees", "op": "between", "value": [50, 5000]},
        ],
        "Finance buyer": [{"field": "title", "op": "contains", "value": ["CFO", "Finance"]}],
        "Data team": [{"field": "account.prop.stack", "op": "in", "value": ["snowflake"]}],
    }
    for name, criteria in personas.items():
        if not Persona.objects.filter(name=name).exists():
            persona_create(by=None, name=name, criteria=criteria)
    leader = Persona.objects.get(name="Revenue leader")
    model = scoring_model_create(by=None, name="Benchmark")
    fit = [
        ("Revenue leader", [{"field": "persona", "op": "equals", "value": leader.pk}], 20),
        (
            "Software or finance",
            [{"field": "account.industry", "op": "in", "value": ["Software", "Finance"]}],
            10,
        ),
        ("Mid-size", [{"field": "account.employees", "op": "between", "value": [50, 1000]}], 10),
        ("Target account", [{"field": "account.is_target", "op": "equals", "value": True}], 10),
        ("Students", [{"field": "title", "op": "contains", "value": "student"}], -30),
        ("Big budget", [{"field": "prop.budget", "op": "between", "value": [10000, None]}], 10),
    ]
    for label, criteria, points in fit:
        fit_rule_create(model=model, by=None, label=label, criteria=criteria, points=points + bonus)
    engagement_rule_create(
        model=model,
        by=None,
        label="Demo request",
        kinds=["demo_request"],
        points=40 - bonus,
        cap=40,
    )
    engagement_rule_create(
        model=model,
        by=None,
        label="Page views",
        kinds=["page_view"],
        points=2,
        cap=10,
        half_life_days=14,
    )
    engagement_rule_create(
        model=model,
        by=None,
        label="Pricing",
        content_contains=["pricing"],
        points=5,
        cap=15,
        half_life_days=7,
    )
    engagement_rule_create(
        model=model,
        by=None,
        label="Careers page",
        content_contains=["careers"],
        points=-5,
        cap=10,
    )
    return model


def server_cpu(pid_file: str | None) -> float | None:
    """CPU seconds the local PostgreSQL server has used so far: the postmaster named in its
    ``postmaster.pid`` file, its live children, and the children that exited (parallel
    workers, closed connections). None without the file. Linux only (/proc)."""
    if not pid_file:
        return None
    tick = os.sysconf("SC_CLK_TCK")

    def fields(pid: str) -> list[str]:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

    master = Path(pid_file).read_text().splitlines()[0].strip()
    total = sum(int(x) for x in fields(master)[11:15])  # utime, stime, cutime, cstime
    for child in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        # A child that exited meanwhile is counted in the postmaster's cutime once reaped.
        with contextlib.suppress(FileNotFoundError):
            total += sum(int(x) for x in fields(child)[11:13])
    return total / tick


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--touches-per-lead", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, default=3, help="model changes to time, alternating two models (3)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="connections rescoring at once (default: rescore_all's, the number of CPUs)",
    )
    parser.add_argument(
        "--postmaster-pid",
        default=None,
        metavar="FILE",
        help="the server's postmaster.pid (a local server only): also print the CPU time the "
        "server spent on each rescore, which other work on the machine changes little",
    )
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    fill(args.leads, args.touches_per_lead, args.seed)

    from django.db import connection

    from accord.agreement.services import personas_match_all
    from accord.campaigns.models import Touch
    from accord.funnel.models import Lead
    from accord.scoring.engine import MAX_WORKERS, rescore_all

    leads = Lead.objects.count()
    touches = Touch.objects.count()
    models = [build_model(), build_model(bonus=3)]
    started = time.perf_counter()
    matched = personas_match_all()
    print(f"personas_match_all: {matched:,} leads matched in {time.perf_counter() - started:.1f} s")
    workers = args.workers if args.workers is not None else min(MAX_WORKERS, os.cpu_count() or 1)
    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
        cursor.execute("SHOW max_wal_size")
        wal = cursor.fetchone()[0]
    print(
        f"{leads:,} leads, {touches:,} touches; {workers} workers; "
        f"shared_buffers {buffers}, max_wal_size {wal}"
    )

    def vacuum() -> None:
        # As autovacuum would have done by the time a model changes; not timed.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Lead._meta.db_table}")
        connection.close()

    # Start from scores no model gave, as after a change.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Lead._meta.db_table} SET score = 0, fit_score = 0, engagement_score = 0 "
            "WHERE (score, fit_score, engagement_score) IS DISTINCT FROM (0, 0, 0)"
        )
    times = []
    for run in range(args.repeat):
        model = models[run % 2]
        vacuum()
        load = os.getloadavg()[0]
        cpu = server_cpu(args.postmaster_pid)
        started = time.perf_counter()
        changed = rescore_all(model, workers=args.workers)
        elapsed = time.perf_counter() - started
        cpu_after = server_cpu(args.postmaster_pid)
        times.append(elapsed)
        spent = (
            f"; server CPU {cpu_after - cpu:.1f} s"
            if cpu is not None and cpu_after is not None
            else ""
        )
        print(
            f"rescore_all after a model change (v{model.version}): {changed:,} scores changed "
            f"in {elapsed:.1f} s (target < 30 s); load average before {load:.2f}, "
            f"after {os.getloadavg()[0]:.2f}{spent}"
        )
    vacuum()
    started = time.perf_counter()
    changed = rescore_all(models[(args.repeat - 1) % 2], workers=args.workers)
    print(f"rescore_all again: {changed:,} scores changed in {time.perf_counter() - started:.1f} s")
    print(f"model change: best {min(times):.1f} s, worst {max(times):.1f} s over {len(times)}")


if __name__ == "__main__":
    main()
