"""The demo workspace: Northwind Analytics and a year of its shared funnel.

Everything follows from a seed and a fixed "now", so a build can be reproduced exactly. The people,
custom properties and campaigns are written through the services (a handful of rows); the volume
data (accounts, leads, stage changes, touches, deals, deal links, notes) goes through the bulk
path in ``accord.bulk``, in one transaction: either the whole workspace is there or none of it.

Each lead is simulated from its arrival: touches before and at its creation, nurture, the move to
MQL, the hand-off to a sales rep who accepts or rejects it, qualification, the deal, its close,
recycling and re-engagement. Stage changes are written in time order, so the lead's stage is
always that of its latest change.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from accord.bulk import copy_rows, is_postgres
from accord.campaigns.models import Campaign, Channel, Touch, TouchKind
from accord.campaigns.services import campaign_create
from accord.demo import catalogue as cat
from accord.demo.agreement import agreement_build, v1_in_force_at
from accord.errors import AccordError, Conflict
from accord.funnel.models import (
    Account,
    Deal,
    DealStatus,
    Entity,
    Lead,
    Note,
    PipelineStage,
    PropertyType,
    Segment,
    Stage,
    StageChange,
    StageSource,
)
from accord.funnel.services import property_define
from accord.scoring.tasks import train_predictive_model
from accord.teams.models import Role, Team, User
from accord.teams.services import user_create

# Leads per size. "tiny" is for tests and is not offered on the command line.
SIZES: dict[str, int] = {"tiny": 200, "small": 2_000, "medium": 20_000, "large": 200_000}
PUBLIC_SIZES = ("small", "medium", "large")
# Sales reps per size: a bigger company has a bigger sales team.
REPS: dict[str, int] = {"tiny": 4, "small": 4, "medium": 8, "large": 20}
DEFAULT_SEED = 2024

DAY = 86_400.0
HOUR = 3_600.0
CHUNK = 5_000  # leads simulated and written per round

# Conversion between funnel stages (before each lead's own fit adjusts them).
P_MQL = 0.21
P_SAL = 0.58
P_SQL = 0.37
P_OPP = 0.50
P_WIN = 0.25
P_DISQUALIFY_LEAD = 0.12  # of leads that never become MQLs
P_REENGAGE = 0.18  # of recycled leads, once
P_RECYCLE_AFTER_LOSS = 0.65
# How much a segment raises the chance of becoming an MQL, and its points in the fit score.
SEGMENT_FIT: dict[str, float] = {
    Segment.SMB: 0.85,
    Segment.MID_MARKET: 1.1,
    Segment.ENTERPRISE: 1.2,
}
SEGMENT_FIT_POINTS: dict[str, int] = {
    Segment.SMB: 10,
    Segment.MID_MARKET: 18,
    Segment.ENTERPRISE: 25,
}


def demo_now() -> datetime:
    """Today at midnight UTC: the default end of the demo's history."""
    return timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class DemoSummary:
    size: str
    seed: int
    people: int = 0
    campaigns: int = 0
    accounts: int = 0
    leads: int = 0
    stage_changes: int = 0
    touches: int = 0
    deals: int = 0
    notes: int = 0
    personas: int = 0
    agreement_version: int = 0
    proposal_version: int = 0
    qualified: int = 0
    training_enqueued: bool = False
    seconds: float = 0.0
    logins: list[User] = field(default_factory=list)


def demo_logins() -> list[User]:
    """The demo's login per role, in display order (those present in the database)."""
    users = {u.username: u for u in User.objects.filter(username__in=cat.LOGINS)}
    return [users[name] for name in cat.LOGINS if name in users]


def demo_build(
    *,
    size: str = "small",
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Build the demo workspace into a database that holds no leads yet.

    ``progress(done, total)`` is called after each batch of leads is written.
    """
    if size not in SIZES:
        raise AccordError(
            f"unknown demo size {size!r}; choose {', '.join(PUBLIC_SIZES)}",
            fields={"size": [f"one of {', '.join(PUBLIC_SIZES)}"]},
        )
    if now is None:
        now = demo_now()
    elif timezone.is_naive(now):
        raise AccordError("the demo's 'now' must carry a time zone", fields={"now": ["naive"]})
    started = time.perf_counter()
    with transaction.atomic():
        if Lead.objects.exists():
            raise Conflict(
                "the database already holds leads; the demo workspace is built only into an "
                "empty one"
            )
        summary = _Builder(size=size, seed=seed, now=now, progress=progress).build()
    summary.seconds = time.perf_counter() - started
    return summary


# --- helpers ------------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def _weighted(items: Sequence[tuple[Any, float]]) -> tuple[list[Any], list[float]]:
    values = [v for v, _ in items]
    cumulative = list(itertools.accumulate(w for _, w in items))
    return values, cumulative


@dataclass
class _Account:
    id: int
    name: str
    domain: str
    industry: str
    country: cat.Country
    segment: str
    employees: int
    is_target: bool
    owner_id: int | None
    email_pattern: int
    properties: dict[str, Any]
    created: float
    leads: list[tuple[int, float]] = field(default_factory=list)  # (lead id, created)


@dataclass
class _Arrival:
    created: float
    account: _Account | None
    source: str
    campaign_id: int | None  # the webinar or event a lead arrived through
    country: cat.Country


@dataclass
class _Camp:
    id: int
    name: str
    channel: str
    start: float
    end: float


class _Lead:
    """One lead's simulated history, collected as rows."""

    __slots__ = ("changes", "name", "owner_id", "stage", "t", "touches")

    def __init__(self, created: float, name: str) -> None:
        self.name = name
        self.stage: str = Stage.LEAD
        self.t = created
        self.owner_id: int | None = None
        self.changes: list[tuple[str, str, float, int | None, str, str]] = [
            ("", Stage.LEAD, created, None, "created", StageSource.SYSTEM)
        ]
        self.touches: list[tuple[str, str, int | None, str, float]] = []

    def move(self, to: str, at: float, actor: int | None, reason: str, source: str) -> None:
        self.changes.append((self.stage, to, at, actor, reason, source))
        self.stage, self.t = to, at


class _Builder:
    def __init__(
        self,
        *,
        size: str,
        seed: int,
        now: datetime,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.size = size
        self.seed = seed
        self.n_leads = SIZES[size]
        self.rng = random.Random(seed)
        self.fake = Faker([c.locale for c in cat.COUNTRIES])
        self.fake.seed_instance(seed)
        self.now = math.floor(now.timestamp())
        self.start = self.now - 365 * DAY
        self.v1_in_force = v1_in_force_at(self.aware(self.start)).timestamp()
        # Spend grows with the company: "small" is a company with ~2,000 new leads a year.
        self.scale = self.n_leads / SIZES["small"]
        self.progress = progress
        self.summary = DemoSummary(size=size, seed=seed)
        self.postgres = is_postgres()
        self.emails: set[str] = set()

    # --- time -----------------------------------------------------------------------------------

    def dt(self, ts: float) -> Any:
        """A timestamp as the database driver wants it on the bulk path."""
        if self.postgres:
            return datetime.fromtimestamp(int(ts), UTC)
        # Django stores naive UTC text on SQLite; match it so SQL comparisons stay right.
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts))

    def aware(self, ts: float) -> datetime:
        return datetime.fromtimestamp(int(ts), UTC)

    def days(self, median: float, sigma: float) -> float:
        """A log-normal duration in seconds around ``median`` days."""
        return median * math.exp(sigma * self.rng.gauss(0.0, 1.0)) * DAY

    def working(self, ts: float, after: float) -> float:
        """``ts`` moved into working hours on a weekday (people act then), and after ``after``."""
        day = math.floor(ts / DAY)
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
        if weekday >= 5:
            day += 7 - weekday
        moved = day * DAY + self.rng.uniform(8.0, 18.0) * HOUR
        if moved <= after:
            moved = after + self.rng.uniform(0.2, 3.0) * HOUR
        return moved

    def daytime(self, ts: float, a: float = -math.inf, b: float = math.inf) -> float:
        """``ts`` moved to office hours on the same working day, if that stays within (a, b)."""
        day = math.floor(ts / DAY)
        weekday = (day + 3) % 7
        if weekday >= 5:
            day -= weekday - 4  # back to Friday
        moved = day * DAY + self.rng.uniform(8.0, 18.5) * HOUR
        return moved if a < moved < b else ts

    # --- the whole build ------------------------------------------------------------------------

    def build(self) -> DemoSummary:
        self.people()
        self.properties()
        self.campaigns()
        arrivals = self.arrivals()
        self.write_accounts()
        self.write_leads(arrivals)
        self.spread_open_deals()
        self.reset_sequences()
        self.agreement()
        self.summary.logins = demo_logins()
        return self.summary

    # --- the agreement and the predictive model -------------------------------------------------

    def agreement(self) -> None:
        story = agreement_build(
            users=self.users,
            start=self.aware(self.start),
            now=self.aware(self.now),
            scale=self.scale,
        )
        self.summary.personas = story.personas
        self.summary.agreement_version = story.in_force.version if story.in_force else 0
        self.summary.proposal_version = story.proposal.version if story.proposal else 0
        self.summary.qualified = story.qualified
        # Training takes seconds to a minute (most of it loading scikit-learn), so the worker
        # does it once the workspace is committed. "tiny" is left out: too few of its leads
        # reach SQL to learn from, and the training would refuse.
        if self.size in PUBLIC_SIZES:
            user_id = self.admin.pk
            transaction.on_commit(
                lambda: train_predictive_model.enqueue(
                    target=Stage.SQL, handoff=Stage.LEAD, user_id=user_id
                )
            )
            self.summary.training_enqueued = True

    # --- people ---------------------------------------------------------------------------------

    def people(self) -> None:
        cast = list(cat.PEOPLE)
        taken = {p.username for p in cast}
        fake = self.fake["en_US"]
        extra = REPS[self.size] - sum(1 for p in cast if p.role == Role.REP)
        while extra > 0:
            first, last = fake.first_name(), fake.last_name()
            username = _ascii(first) + _ascii(last)[:1]
            if username in taken:
                continue
            taken.add(username)
            job = "Enterprise Account Executive" if extra % 3 == 0 else "Account Executive"
            cast.append(cat.Person(username, first, last, Team.SALES, Role.REP, job))
            extra -= 1
        created: list[int] = []
        self.users: dict[str, User] = {}
        for person in cast:
            user = User.objects.filter(username=person.username).first()
            if user is None:
                user = user_create(
                    username=person.username,
                    team=person.team,
                    role=person.role,
                    email=f"{person.username}@{cat.STAFF_DOMAIN}",
                    first_name=person.first_name,
                    last_name=person.last_name,
                )
                created.append(user.pk)
            self.users[person.username] = user
        # One hash for every demo login: hashing is deliberately slow, the password is shared.
        User.objects.filter(pk__in=created).update(
            password=make_password(cat.DEMO_PASSWORD),
            date_joined=self.aware(self.start - 60 * DAY),
        )
        self.summary.people = len(cast)
        reps = [(p.username, p.job) for p in cast if p.role == Role.REP]
        self.enterprise_reps = [self.users[u].pk for u, job in reps if job.startswith("Enterprise")]
        self.reps = [self.users[u].pk for u, job in reps if not job.startswith("Enterprise")]
        self.marketers = [self.users[p.username].pk for p in cast if p.team == Team.MARKETING]
        self.admin = self.users["owen"]

    def rep_for(self, segment: str) -> int:
        pool = self.enterprise_reps if segment == Segment.ENTERPRISE else self.reps
        return self.rng.choice(pool or self.reps or self.enterprise_reps)

    # --- custom properties ----------------------------------------------------------------------

    PROPERTIES = (
        (Entity.LEAD, "lead_rating", "Lead rating", PropertyType.TEXT),
        (Entity.LEAD, "newsletter", "Newsletter subscriber", PropertyType.BOOLEAN),
        (Entity.ACCOUNT, "annual_revenue", "Annual revenue", PropertyType.NUMBER),
        (Entity.ACCOUNT, "data_warehouse", "Data warehouse", PropertyType.TEXT),
        (Entity.DEAL, "contract_term_months", "Contract term (months)", PropertyType.NUMBER),
        (Entity.DEAL, "go_live_date", "Go-live date", PropertyType.DATE),
    )

    def properties(self) -> None:
        from accord.funnel.models import PropertyDefinition

        existing = set(PropertyDefinition.objects.values_list("entity", "key"))
        for entity, key, label, kind in self.PROPERTIES:
            if (entity, key) not in existing:
                property_define(entity=entity, key=key, label=label, type=kind, by=self.admin)

    # --- campaigns ------------------------------------------------------------------------------

    def campaigns(self) -> None:
        start_day = datetime.fromtimestamp(self.start, UTC).date()
        today = datetime.fromtimestamp(self.now, UTC).date()
        self.camps: dict[str, list[_Camp]] = {str(c): [] for c in Channel.values}
        count = 0
        for spec in cat.CAMPAIGNS:
            starts = start_day + timedelta(days=spec.start)
            if starts >= today:
                continue
            ends = None if spec.days is None else starts + timedelta(days=spec.days - 1)
            if ends is not None and ends >= today:
                ends = today - timedelta(days=1)
            running_days = ((ends or today) - starts).days + 1
            monthly = spec.days is None and not spec.one_off
            cost = spec.cost * running_days / 30 if monthly else spec.cost
            cost *= self.scale * self.rng.uniform(0.9, 1.1)
            name = spec.name.format(mon=f"{starts:%b}", year=starts.year)
            campaign = Campaign.objects.filter(name=name).first() or campaign_create(
                by=self.admin,
                name=name,
                channel=spec.channel,
                description=spec.description,
                starts_on=starts,
                ends_on=ends,
                cost=Decimal(round(cost, -1)).quantize(Decimal("0.01")),
                owner_team=spec.owner_team,
            )
            Campaign.objects.filter(pk=campaign.pk).update(
                created_at=self.aware(self.start + (spec.start - 21) * DAY)
            )
            begin = datetime.combine(starts, datetime.min.time(), UTC).timestamp()
            end = (
                datetime.combine(ends, datetime.max.time(), UTC).timestamp()
                if ends
                else float(self.now)
            )
            self.camps[spec.channel].append(_Camp(campaign.pk, name, spec.channel, begin, end))
            count += 1
        self.summary.campaigns = count
        self.points: dict[str, list[_Camp]] = {
            str(ch): sorted(self.camps[ch], key=lambda c: c.start)
            for ch in (Channel.WEBINAR, Channel.EVENTS)
        }

    def campaign_at(self, channel: str, ts: float) -> _Camp | None:
        active = [c for c in self.camps[channel] if c.start <= ts <= c.end]
        return self.rng.choice(active) if active else None

    def point_between(self, channel: str, a: float, b: float) -> _Camp | None:
        inside = [c for c in self.points[channel] if a < c.start + 10 * HOUR < b]
        return self.rng.choice(inside) if inside else None

    # --- accounts and arrivals ------------------------------------------------------------------

    def name_pools(self) -> None:
        self.first_names: dict[str, list[str]] = {}
        self.last_names: dict[str, list[str]] = {}
        for country in cat.COUNTRIES:
            fake = self.fake[country.locale]
            self.first_names[country.locale] = sorted({fake.first_name() for _ in range(250)})
            self.last_names[country.locale] = sorted({fake.last_name() for _ in range(400)})

    def accounts(self) -> list[_Account]:
        rng = self.rng
        countries, country_w = _weighted([(c, c.weight) for c in cat.COUNTRIES])
        segments, segment_w = _weighted([(s, v[0]) for s, v in cat.SEGMENTS.items()])
        industries, industry_w = _weighted(list(cat.INDUSTRY_WEIGHTS.items()))
        n = max(20, round(self.n_leads / 3.6))
        start_id = (Account.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        taken_domains = set(Account.objects.values_list("domain", flat=True))
        result: list[_Account] = []
        for i in range(n):
            country = rng.choices(countries, cum_weights=country_w)[0]
            segment = rng.choices(segments, cum_weights=segment_w)[0]
            industry = rng.choices(industries, cum_weights=industry_w)[0]
            low, high = cat.SEGMENTS[segment][1]
            employees = round(math.exp(rng.uniform(math.log(low), math.log(high))))
            word = rng.choice(cat.INDUSTRIES[industry])
            if rng.random() < 0.5:
                stem = rng.choice(cat.NAME_HEADS) + rng.choice(cat.NAME_TAILS)
            else:
                stem = rng.choice(self.last_names[country.locale])
            suffix = rng.choice(cat.LEGAL_SUFFIX[country.name])
            name = f"{stem} {word}" + (f" {suffix}" if suffix else "")
            base = _ascii(stem) + (_ascii(word) if rng.random() < 0.6 else "")
            domain = f"{base}.{country.tld}"
            serial = 2
            while domain in taken_domains:
                domain = f"{base}{serial}.{country.tld}"
                serial += 1
            taken_domains.add(domain)
            target_p = {Segment.ENTERPRISE: 0.45, Segment.MID_MARKET: 0.18}.get(segment, 0.02)
            is_target = rng.random() < target_p
            props: dict[str, Any] = {}
            if rng.random() < 0.8:
                props["annual_revenue"] = round(employees * rng.uniform(90_000, 320_000), -5)
            if rng.random() < 0.6:
                props["data_warehouse"] = rng.choice(cat.WAREHOUSES)
            owner = self.rep_for(segment) if is_target or rng.random() < 0.35 else None
            created = (
                self.start - rng.uniform(10, 200) * DAY
                if is_target
                else float(self.now)  # lowered to its first lead's arrival below
            )
            result.append(
                _Account(
                    id=start_id + i,
                    name=name,
                    domain=domain,
                    industry=industry,
                    country=country,
                    segment=segment,
                    employees=employees,
                    is_target=is_target,
                    owner_id=owner,
                    email_pattern=rng.choices((0, 1, 2), weights=(70, 22, 8))[0],
                    properties=props,
                    created=created,
                )
            )
        return result

    def arrival_time(self) -> float:
        """When a lead arrives: more in recent months (the company grows), fewer at weekends."""
        growth = 0.7
        while True:
            u = self.rng.random()
            x = (-1 + math.sqrt(1 + 2 * growth * u * (1 + growth / 2))) / growth
            ts = self.start + x * 365 * DAY
            weekday = (math.floor(ts / DAY) + 3) % 7
            if weekday < 5 or self.rng.random() < 0.35:
                return min(ts, self.now - HOUR)

    def arrivals(self) -> list[_Arrival]:
        rng = self.rng
        self.name_pools()
        self.account_list = self.accounts()
        weights = [
            cat.SEGMENTS[a.segment][2] * (1.5 if a.is_target else 1.0) for a in self.account_list
        ]
        cum_accounts = list(itertools.accumulate(weights))
        sources, source_w = _weighted([(s, v[0]) for s, v in cat.SOURCES.items()])
        countries, country_w = _weighted([(c, c.weight) for c in cat.COUNTRIES])
        result: list[_Arrival] = []
        for _ in range(self.n_leads):
            created = self.arrival_time()
            account: _Account | None = None
            if rng.random() >= 0.07:  # the rest sign up with a personal address
                account = rng.choices(self.account_list, cum_weights=cum_accounts)[0]
            source = rng.choices(sources, cum_weights=source_w)[0]
            if source == Channel.OUTBOUND and (account is None or account.segment == Segment.SMB):
                source = Channel.PAID_SEARCH  # sales prospects mid-market and enterprise only
            campaign_id = None
            if source in (Channel.WEBINAR, Channel.EVENTS):
                before = [c for c in self.points[source] if c.start + 10 * HOUR <= created]
                if before:
                    camp = before[-1] if rng.random() < 0.8 else rng.choice(before)
                    days = max(1, round((camp.end - camp.start) / DAY))
                    created = camp.start + rng.randrange(days) * DAY + rng.uniform(9, 17) * HOUR
                    created = min(created, self.now - HOUR)
                    campaign_id = camp.id
                else:
                    source = Channel.ORGANIC_SEARCH
            country = (
                account.country if account else rng.choices(countries, cum_weights=country_w)[0]
            )
            result.append(_Arrival(created, account, source, campaign_id, country))
            if account is not None and created < account.created:
                account.created = created - rng.uniform(0, 2) * HOUR
        result.sort(key=lambda a: a.created)
        return result

    def write_accounts(self) -> None:
        rows = []
        for a in self.account_list:
            if a.created >= self.now - DAY:  # no lead yet: a company researched and added
                a.created = self.start + self.rng.uniform(0, 360) * DAY
            created = a.created
            rows.append(
                (
                    a.id,
                    None,
                    a.name,
                    a.domain,
                    a.industry,
                    a.employees,
                    a.country.name,
                    a.segment,
                    a.is_target,
                    a.owner_id,
                    json.dumps(a.properties),
                    self.dt(created),
                    self.dt(created),
                )
            )
        copy_rows(
            Account._meta.db_table,
            _columns(
                Account,
                "id",
                "external_id",
                "name",
                "domain",
                "industry",
                "employees",
                "country",
                "segment",
                "is_target",
                "owner",
                "properties",
                "created_at",
                "updated_at",
            ),
            rows,
        )
        self.summary.accounts = len(rows)

    # --- leads ----------------------------------------------------------------------------------

    def write_leads(self, arrivals: list[_Arrival]) -> None:
        self.lead_id = (Lead.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.deal_id = (Deal.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.pipeline = list(PipelineStage.objects.order_by("position", "id").values_list("id"))
        self.loss_reasons, self.loss_w = _weighted(cat.LOSS_REASONS)
        self.title_w = list(itertools.accumulate(t[1] for t in cat.TITLES))
        lead_cols = _columns(
            Lead,
            "id",
            "external_id",
            "email",
            "first_name",
            "last_name",
            "title",
            "phone",
            "source",
            "account",
            "owner",
            "stage",
            "stage_changed_at",
            "score",
            "fit_score",
            "engagement_score",
            "properties",
            "created_at",
            "updated_at",
        )
        change_cols = _columns(
            StageChange, "lead", "from_stage", "to_stage", "at", "actor", "reason", "source"
        )
        touch_cols = _columns(
            Touch, "external_id", "lead", "kind", "channel", "campaign", "content", "at"
        )
        deal_cols = _columns(
            Deal,
            "id",
            "external_id",
            "name",
            "account",
            "primary_lead",
            "owner",
            "amount",
            "pipeline_stage",
            "status",
            "loss_reason",
            "properties",
            "created_at",
            "closed_at",
            "updated_at",
        )
        through = Deal.leads.through
        link_cols = _columns(through, "deal", "lead")
        note_cols = _columns(Note, "lead", "author", "body", "at")
        total = len(arrivals)
        for begin in range(0, total, CHUNK):
            self.rows: dict[str, list[tuple[Any, ...]]] = {
                "lead": [],
                "change": [],
                "touch": [],
                "deal": [],
                "link": [],
                "note": [],
            }
            for arrival in arrivals[begin : begin + CHUNK]:
                self.lead(arrival)
            copy_rows(Lead._meta.db_table, lead_cols, self.rows["lead"])
            copy_rows(StageChange._meta.db_table, change_cols, self.rows["change"])
            copy_rows(Touch._meta.db_table, touch_cols, self.rows["touch"])
            copy_rows(Deal._meta.db_table, deal_cols, self.rows["deal"])
            copy_rows(through._meta.db_table, link_cols, self.rows["link"])
            copy_rows(Note._meta.db_table, note_cols, self.rows["note"])
            self.summary.leads += len(self.rows["lead"])
            self.summary.stage_changes += len(self.rows["change"])
            self.summary.touches += len(self.rows["touch"])
            self.summary.deals += len(self.rows["deal"])
            self.summary.notes += len(self.rows["note"])
            if self.progress:
                self.progress(min(begin + CHUNK, total), total)

    def person(self, arrival: _Arrival) -> tuple[str, str, str]:
        rng = self.rng
        locale = arrival.country.locale
        first = rng.choice(self.first_names[locale])
        last = rng.choice(self.last_names[locale])
        f, la = _ascii(first) or "contact", _ascii(last) or "person"
        if arrival.account is None:
            local = rng.choice(
                (f"{f}.{la}", f"{f}{la}", f"{f}_{la}", f"{f}.{la}{rng.randint(1, 99)}")
            )
            domain = rng.choice(cat.FREEMAIL)
        else:
            pattern = arrival.account.email_pattern
            local = (f"{f}.{la}", f"{f[0]}{la}", f)[pattern]
            domain = arrival.account.domain
        email = f"{local}@{domain}"
        serial = 2
        while email in self.emails:
            email = f"{local}{serial}@{domain}"
            serial += 1
        self.emails.add(email)
        return first, last, email

    def lead(self, arrival: _Arrival) -> None:
        rng = self.rng
        lead_id = self.lead_id
        self.lead_id += 1
        account = arrival.account
        segment = account.segment if account else Segment.SMB
        first, last, email = self.person(arrival)
        tier = rng.choices(range(len(cat.TITLES)), cum_weights=self.title_w)[0]
        titles, _, title_fit = cat.TITLES[tier]
        title = rng.choice(titles)
        fit = title_fit * cat.SOURCES[arrival.source][1]
        fit *= SEGMENT_FIT[segment]
        if account is None:
            fit *= 0.6
        elif account.is_target:
            fit *= 1.3
        me = _Lead(arrival.created, f"{first} {last}")
        self.arrival_touches(me, arrival)
        demo_request = me.touches[-1][0] == TouchKind.DEMO_REQUEST
        if demo_request:
            fit *= 2.5

        # Marketing's part: nurture until the lead meets the MQL definition, or does not.
        if rng.random() < min(0.95, P_MQL * fit):
            delay = self.days(0.05, 1.0) if demo_request else self.days(12, 0.9)
            self.to_mql(me, me.t + delay, first_time=True)
        elif rng.random() < P_DISQUALIFY_LEAD:
            at = self.working(me.t + rng.uniform(1, 40) * DAY, me.t)
            self.nurture(me, me.t, min(at, self.now), 2.2)
            if at < self.now:
                reason = rng.choice(cat.DISQUALIFY)
                me.move(
                    Stage.DISQUALIFIED, at, rng.choice(self.marketers), reason, StageSource.MANUAL
                )
        else:
            self.nurture(me, me.t, min(self.now, me.t + rng.uniform(45, 300) * DAY), 3.2)

        reengaged = False
        while me.stage == Stage.MQL:
            self.sales(me, arrival, lead_id, segment, fit)
            if me.stage != Stage.RECYCLED:
                break
            if reengaged or rng.random() >= P_REENGAGE:
                self.nurture(me, me.t, min(self.now, me.t + rng.uniform(30, 200) * DAY), 1.4)
                break
            # Back to marketing; some recycled leads come back later with a new need.
            reengaged = True
            self.to_mql(me, me.t + self.days(60, 0.5), first_time=False)

        # The lead's row, from the end state of its history.
        last_touch = max((t[4] for t in me.touches), default=me.t)
        recent = sum(1 for t in me.touches if t[4] > self.now - 90 * DAY)
        fit_score = SEGMENT_FIT_POINTS[segment]
        fit_score += (20, 12, 3)[tier] + (5 if account and account.is_target else 0)
        engagement = min(50, 4 * recent + (15 if me.stage in (Stage.SQL, Stage.OPPORTUNITY) else 0))
        score = min(100, fit_score + engagement)
        props: dict[str, Any] = {}
        if rng.random() < 0.7:
            props["lead_rating"] = "Hot" if score >= 65 else "Warm" if score >= 40 else "Cold"
        roll = rng.random()
        if roll < 0.55:
            props["newsletter"] = True
        elif roll < 0.85:
            props["newsletter"] = False
        phone = ""
        if rng.random() < 0.6:
            dial = arrival.country.dial
            phone = (
                f"+{dial} {rng.randint(20, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
            )
        self.rows["lead"].append(
            (
                lead_id,
                None,
                email,
                first,
                last,
                title,
                phone,
                Channel(arrival.source).label,
                account.id if account else None,
                me.owner_id,
                me.stage,
                self.dt(me.t),
                score,
                fit_score,
                engagement,
                json.dumps(props),
                self.dt(arrival.created),
                self.dt(max(me.t, min(last_touch, self.now))),
            )
        )
        dt = self.dt
        self.rows["change"].extend(
            (lead_id, frm, to, dt(at), actor, reason, source)
            for frm, to, at, actor, reason, source in me.changes
        )
        self.rows["touch"].extend(
            (None, lead_id, kind, channel, camp, content, dt(at))
            for kind, channel, camp, content, at in me.touches
            if at <= self.now
        )
        if account is not None:
            account.leads.append((lead_id, arrival.created))

    # --- the stages -----------------------------------------------------------------------------

    def to_mql(self, me: _Lead, at: float, *, first_time: bool) -> None:
        """Nurture up to ``at``; if that is in the past, the lead meets the MQL definition then."""
        rng = self.rng
        self.nurture(me, me.t, min(at, self.now), 2.4)
        if at >= self.now:
            return
        kind, content = rng.choice(cat.MQL_TRIGGERS)
        channel = Channel.DIRECT if kind != TouchKind.CONTENT_DOWNLOAD else Channel.CONTENT
        camp = self.campaign_at(channel, at)
        if kind == TouchKind.CONTENT_DOWNLOAD:
            content = asset_page(camp.name if camp else content)
        me.touches.append((kind, channel, camp.id if camp else None, content, at - 60))
        reason = (
            "met the MQL definition of agreement v1"
            if at >= self.v1_in_force
            else "met marketing's MQL rule (before the agreement)"
        )
        if not first_time:
            reason = f"re-engaged: {reason}"
        me.move(Stage.MQL, at, None, reason, StageSource.SYSTEM)

    def sales(self, me: _Lead, arrival: _Arrival, lead_id: int, segment: str, fit: float) -> None:
        """Sales' part, from the hand-off of an MQL to a won, lost or open deal."""
        rng = self.rng
        if me.owner_id is None:
            account = arrival.account
            me.owner_id = (
                account.owner_id if account and account.owner_id else self.rep_for(segment)
            )
        owner = me.owner_id
        quality = min(1.3, max(0.7, fit))
        # Accept or reject the hand-off, usually within a working day.
        if rng.random() >= min(0.95, P_SAL * quality):
            at = self.working(me.t + self.days(1.5, 0.7), me.t)
            if at >= self.now:
                return
            self.activity(me, "accept", me.t, at, 1)
            if rng.random() < 0.8:
                me.move(
                    Stage.RECYCLED, at, owner, rng.choice(cat.MQL_REJECTIONS), StageSource.MANUAL
                )
            else:
                me.move(
                    Stage.DISQUALIFIED, at, owner, rng.choice(cat.DISQUALIFY), StageSource.MANUAL
                )
            return
        at = self.working(me.t + self.days(0.6, 0.8), me.t)
        if at >= self.now:
            return
        me.move(Stage.SAL, at, owner, "accepted", StageSource.MANUAL)
        if rng.random() < 0.3:
            body = rng.choice(cat.NOTES).format(
                name=me.name.split()[0],
                industry=(arrival.account.industry.lower() if arrival.account else "their field"),
            )
            note_at = at + rng.uniform(1, 72) * HOUR
            if note_at < self.now:
                self.rows["note"].append((lead_id, owner, body, self.dt(note_at)))
        # Qualify.
        if rng.random() >= P_SQL * quality:
            at = self.working(me.t + self.days(15, 0.6), me.t)
            self.activity(me, "accept", me.t, min(at, self.now), rng.randint(2, 4))
            if at < self.now:
                self.drop(me, at, owner, disqualify_share=0.3)
            return
        at = self.working(me.t + self.days(9, 0.6), me.t)
        self.activity(me, "accept", me.t, min(at, self.now), rng.randint(1, 2))
        self.activity(me, "qualify", me.t, min(at, self.now), rng.randint(2, 4))
        if at >= self.now:
            return
        me.move(
            Stage.SQL,
            at,
            owner,
            "qualified: budget, authority, need and timing confirmed",
            StageSource.MANUAL,
        )
        # Open a deal.
        if rng.random() >= P_OPP * min(1.2, quality):
            at = self.working(me.t + self.days(20, 0.6), me.t)
            self.activity(me, "qualify", me.t, min(at, self.now), rng.randint(1, 3))
            if at < self.now:
                self.drop(me, at, owner, disqualify_share=0.4)
            return
        at = self.working(me.t + self.days(7, 0.6), me.t)
        self.activity(me, "propose", me.t, min(at, self.now), rng.randint(2, 4))
        if at >= self.now:
            return
        self.deal(me, arrival, lead_id, segment, at)

    def drop(self, me: _Lead, at: float, owner: int, *, disqualify_share: float) -> None:
        if self.rng.random() < disqualify_share:
            me.move(
                Stage.DISQUALIFIED, at, owner, self.rng.choice(cat.DISQUALIFY), StageSource.MANUAL
            )
        else:
            me.move(
                Stage.RECYCLED, at, owner, self.rng.choice(cat.SALES_RECYCLE), StageSource.MANUAL
            )

    def deal(self, me: _Lead, arrival: _Arrival, lead_id: int, segment: str, opened: float) -> None:
        rng = self.rng
        account = arrival.account
        owner = me.owner_id
        plan, (low, high), step, cycle_days, win_factor = cat.DEAL_TERMS[segment]
        amount = round(
            rng.uniform(low, high) * (1.2 if account and account.is_target else 1) / step
        )
        amount *= step
        name = f"{account.name if account else me.name} - {plan}"
        deal_id = self.deal_id
        self.deal_id += 1
        me.move(Stage.OPPORTUNITY, opened, owner, f"deal opened: {name}"[:500], StageSource.DEAL)
        won = rng.random() < P_WIN * win_factor * (1.15 if account and account.is_target else 1)
        cycle = self.days(cycle_days * (1.0 if won else 0.8), 0.45)
        close = self.working(opened + cycle, opened)
        term = rng.choices((12, 24, 36), weights=(60, 25, 15))[0]
        props: dict[str, Any] = {"contract_term_months": term}
        status, loss_reason, closed_at = DealStatus.OPEN, "", None
        stage_index = len(self.pipeline) - 1
        if close >= self.now:
            progress = (self.now - opened) / max(close - opened, DAY)
            stage_index = min(len(self.pipeline) - 1, int(progress * len(self.pipeline)))
            self.activity(me, "close", opened, self.now, rng.randint(2, 6))
        elif won:
            status, closed_at = DealStatus.WON, close
            go_live = datetime.fromtimestamp(close + rng.uniform(20, 75) * DAY, UTC).date()
            props["go_live_date"] = go_live.isoformat()
            self.activity(me, "close", opened, close, rng.randint(3, 8))
            me.move(Stage.CUSTOMER, close, owner, f"deal won: {name}"[:500], StageSource.DEAL)
            self.activity(me, "customer", close, min(self.now, close + 60 * DAY), rng.randint(1, 3))
        else:
            status, closed_at = DealStatus.LOST, close
            loss_reason = rng.choices(self.loss_reasons, cum_weights=self.loss_w)[0]
            stage_index = rng.choices(range(len(self.pipeline)), k=1)[0] if self.pipeline else 0
            self.activity(me, "close", opened, close, rng.randint(2, 6))
            if rng.random() < P_RECYCLE_AFTER_LOSS:
                at = self.working(close + rng.uniform(2, 21) * DAY, close)
                if at < self.now:
                    me.move(
                        Stage.RECYCLED, at, owner, f"deal lost: {loss_reason}", StageSource.MANUAL
                    )
        pipeline_stage = self.pipeline[stage_index][0] if self.pipeline else None
        dt = self.dt
        self.rows["deal"].append(
            (
                deal_id,
                None,
                name[:200],
                account.id if account else None,
                lead_id,
                owner,
                Decimal(amount),
                pipeline_stage,
                status,
                loss_reason,
                json.dumps(props),
                dt(opened),
                dt(closed_at) if closed_at is not None else None,
                dt(closed_at if closed_at is not None else opened),
            )
        )
        self.rows["link"].append((deal_id, lead_id))
        if account is not None:
            colleagues = [lid for lid, created in account.leads if created < opened]
            for other in rng.sample(colleagues, min(len(colleagues), rng.randint(0, 2))):
                self.rows["link"].append((deal_id, other))

    # --- touches --------------------------------------------------------------------------------

    def arrival_touches(self, me: _Lead, arrival: _Arrival) -> None:
        """The touches before the lead was known (cookie history) and the one that created it."""
        rng = self.rng
        created, source = arrival.created, arrival.source
        camp_id: int | None
        if source == Channel.OUTBOUND:
            camp = self.campaign_at(source, created)
            kind, content = cat.CREATION_TOUCH[source][0]
            camp_id = camp.id if camp else None
            me.touches.append((kind, source, camp_id, content, created))
            # The rest of the prospecting sequence.
            for step in range(rng.randint(2, 4)):
                at = self.daytime(created + (step + 1) * rng.uniform(2, 6) * DAY)
                kind, content = rng.choice(cat.PROSPECTING)
                me.touches.append((kind, source, camp_id, content, at))
            return
        first_kind = cat.FIRST_TOUCH[source]
        for _ in range(rng.choice((0, 1, 2, 2, 3, 4))):
            at = max(self.start - 30 * DAY, created - rng.uniform(0.02, 40) * DAY)
            camp = self.campaign_at(source, at)
            if first_kind == TouchKind.PAGE_VIEW:
                content = rng.choice(cat.PAGES)
            else:
                content = rng.choice(cat.AD_CREATIVES)
            me.touches.append((first_kind, source, camp.id if camp else None, content, at))
        kind, content = rng.choice(cat.CREATION_TOUCH[source])
        if arrival.campaign_id is not None:
            camp_id = arrival.campaign_id
            attendance = (
                cat.WEBINAR_ATTENDANCE if kind == TouchKind.WEBINAR else cat.EVENT_ENCOUNTERS
            )
            content = rng.choice(attendance)
        else:
            camp = self.campaign_at(source, created)
            camp_id = camp.id if camp else None
            if kind == TouchKind.CONTENT_DOWNLOAD:
                content = asset_page(camp.name if camp and source == Channel.CONTENT else content)
        me.touches.append((kind, source, camp_id, content, created))

    NURTURE_KINDS = (
        TouchKind.EMAIL_OPEN,
        TouchKind.EMAIL_CLICK,
        TouchKind.PAGE_VIEW,
        TouchKind.CONTENT_DOWNLOAD,
        TouchKind.AD_CLICK,
        TouchKind.WEBINAR,
        TouchKind.EVENT,
    )
    NURTURE_WEIGHTS = tuple(itertools.accumulate((35, 12, 25, 8, 8, 7, 5)))

    def nurture(self, me: _Lead, a: float, b: float, per_month: float) -> None:
        """Marketing touches between ``a`` and ``b``, about ``per_month`` a month (at most 16)."""
        if b <= a:
            return
        rng = self.rng
        expected = min(16.0, per_month * (b - a) / (30 * DAY))
        n = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
        for _ in range(n):
            at = rng.uniform(a, b)
            if rng.random() < 0.75:  # most people read and click during the working day
                at = self.daytime(at, a, b)
            kind = rng.choices(self.NURTURE_KINDS, cum_weights=self.NURTURE_WEIGHTS)[0]
            channel: str
            content = ""
            camp: _Camp | None = None
            if kind in (TouchKind.WEBINAR, TouchKind.EVENT):
                channel = Channel.WEBINAR if kind == TouchKind.WEBINAR else Channel.EVENTS
                camp = self.point_between(channel, a, b)
                if camp is None:
                    kind, channel = TouchKind.EMAIL_OPEN, Channel.EMAIL
                else:
                    at = camp.start + rng.uniform(9, 17) * HOUR
                    attendance = (
                        cat.WEBINAR_ATTENDANCE
                        if kind == TouchKind.WEBINAR
                        else cat.EVENT_ENCOUNTERS
                    )
                    content = rng.choice(attendance)
            if kind in (TouchKind.EMAIL_OPEN, TouchKind.EMAIL_CLICK):
                channel = Channel.EMAIL
                camp = self.campaign_at(channel, at)
                content = rng.choice(cat.NURTURE_EMAILS)
            elif kind == TouchKind.PAGE_VIEW:
                channel = Channel.ORGANIC_SEARCH if rng.random() < 0.45 else Channel.DIRECT
                camp = self.campaign_at(channel, at) if rng.random() < 0.5 else None
                content = rng.choice(cat.PAGES)
            elif kind == TouchKind.CONTENT_DOWNLOAD:
                channel = Channel.CONTENT
                camp = self.campaign_at(channel, at)
                content = asset_page(camp.name if camp else rng.choice(cat.ASSETS))
            elif kind == TouchKind.AD_CLICK:
                channel = Channel.PAID_SOCIAL if rng.random() < 0.6 else Channel.PAID_SEARCH
                camp = self.campaign_at(channel, at)
                content = rng.choice(cat.AD_CREATIVES)
            me.touches.append((kind, channel, camp.id if camp else None, content, at))

    def activity(self, me: _Lead, phase: str, a: float, b: float, n: int) -> None:
        """``n`` sales touches (emails, calls, meetings) between ``a`` and ``b``."""
        if b <= a:
            return
        rng = self.rng
        options = cat.SALES_ACTIVITY[phase]
        # The same meeting rarely happens twice in one phase.
        picks = rng.sample(options, n) if n <= len(options) else rng.choices(options, k=n)
        for kind, content in picks:
            at = self.daytime(rng.uniform(a, b), a, b)
            # Sales activity is not a marketing channel, except the pages a buyer reads.
            channel = Channel.DIRECT if kind == TouchKind.PAGE_VIEW else ""
            if phase == "customer" and kind == TouchKind.EMAIL_OPEN:
                channel = Channel.EMAIL
            me.touches.append((kind, channel, None, content, at))

    # --- finishing ------------------------------------------------------------------------------

    def spread_open_deals(self) -> None:
        """Give every pipeline stage an open deal, taken from the fullest stage if need be.

        The history decides where open deals sit; a small workspace can leave a stage empty,
        and a pipeline with an empty column looks broken rather than real.
        """
        open_deals = Deal.objects.filter(status=DealStatus.OPEN)
        for (stage_id,) in self.pipeline:
            if open_deals.filter(pipeline_stage_id=stage_id).exists():
                continue
            fullest = (
                open_deals.values("pipeline_stage_id")
                .annotate(n=Count("id"))
                .order_by("-n", "pipeline_stage_id")
                .first()
            )
            if fullest is None or fullest["n"] < 2:
                return
            moved = (
                open_deals.filter(pipeline_stage_id=fullest["pipeline_stage_id"])
                .order_by("-id")
                .values_list("id", flat=True)
                .first()
            )
            if moved is not None:
                open_deals.filter(pk=moved).update(pipeline_stage_id=stage_id)

    def reset_sequences(self) -> None:
        """Explicit ids were written; move PostgreSQL's sequences past them."""
        statements = connection.ops.sequence_reset_sql(no_style(), [Account, Lead, Deal])
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def asset_page(title: str) -> str:
    """Where an asset is downloaded: "Report: State of B2B analytics" → /resources/state-of-…"""
    return "/resources/" + slugify(title.split(":", 1)[-1])


def _columns(model: Any, *names: str) -> list[str]:
    return [model._meta.get_field(name).column for name in names]
