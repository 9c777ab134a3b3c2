"""What each importable record can receive from a column, and how a cell becomes a value.

Every parser takes the stripped text of a non-empty cell and returns the value to store, or raises
ValueError with a reason a person can act on ("'31/02/2024' is not a date").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from accord.campaigns.models import Channel, TouchKind
from accord.funnel.models import DealStatus, Segment, Stage
from accord.funnel.properties import parse_boolean
from accord.teams.models import Team

ENTITIES = ("accounts", "leads", "deals", "campaigns", "touches")
# The PropertyDefinition entity of each importable record that has custom properties.
PROPERTY_ENTITY = {"accounts": "account", "leads": "lead", "deals": "deal"}

STAGE_DATE_FIELDS = {
    "mql_at": Stage.MQL,
    "sal_at": Stage.SAL,
    "sql_at": Stage.SQL,
    "opportunity_at": Stage.OPPORTUNITY,
    "customer_at": Stage.CUSTOMER,
}

# --- parsers -----------------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_SLASHED = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p", "%I:%M%p")
FUTURE_SLACK = timedelta(minutes=5)


def parse_text(max_length: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if len(text) > max_length:
            raise ValueError(f"is longer than {max_length} characters")
        return text

    return parse


def parse_email(text: str) -> str:
    text = text.lower()
    if len(text) > 254 or not _EMAIL.match(text):
        raise ValueError(f"{text!r} is not an email address")
    return text


def parse_domain(text: str) -> str:
    domain = text.strip().lower()
    for prefix in ("https://", "http://"):
        domain = domain.removeprefix(prefix)
    domain = domain.removeprefix("www.").split("/")[0].split("?")[0]
    if "." not in domain or " " in domain or len(domain) > 200:
        raise ValueError(f"{text!r} is not a domain name")
    return domain


def _number_text(text: str) -> str:
    return text.replace("\u00a0", "").replace(" ", "").lstrip("$€£").replace(",", "")


def parse_decimal(text: str) -> Decimal:
    try:
        value = Decimal(_number_text(text))
    except InvalidOperation as exc:
        raise ValueError(f"{text!r} is not a number") from exc
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a number")
    if value < 0:
        raise ValueError(f"{text!r} is negative")
    return value.quantize(Decimal("0.01"))


def parse_count(text: str) -> int:
    value = parse_decimal(text)
    if value != value.to_integral_value():
        raise ValueError(f"{text!r} is not a whole number")
    return int(value)


def parse_bool(text: str) -> bool:
    return parse_boolean(text)


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


class DateReader:
    """Dates and times as exports write them, in one column.

    ISO 8601 first; then day/month/year or month/day/year, the order being decided per column from
    its values (a first number above 12 means day first, a second above 12 means month first);
    then Unix timestamps in seconds or milliseconds. Times without a zone are the organisation's.
    """

    def __init__(self, order: str = "dmy") -> None:
        self.order = order
        self.zone = _tz()

    @staticmethod
    def order_of(values: list[str]) -> str:
        for value in values:
            match = _SLASHED.match(value.strip())
            if match:
                first, second = int(match.group(1)), int(match.group(2))
                if first > 12 >= second:
                    return "dmy"
                if second > 12 >= first:
                    return "mdy"
        return "dmy"

    def to_datetime(self, text: str) -> datetime:
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            value = self._slow(text)
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.zone)
        return value

    def to_date(self, text: str) -> date:
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        value = self.to_datetime(text)
        return value.astimezone(self.zone).date()

    def _slow(self, text: str) -> datetime:
        if text.isdigit() and len(text) >= 9:
            seconds = int(text) / (1000 if len(text) >= 12 else 1)
            return datetime.fromtimestamp(seconds, tz=UTC)
        match = _SLASHED.match(text)
        if match:
            a, b, year = (int(g) for g in match.groups())
            day, month = (a, b) if self.order == "dmy" else (b, a)
            try:
                day_part = date(year, month, day)
            except ValueError as exc:
                raise ValueError(f"{text!r} is not a date") from exc
            rest = text[match.end() :].strip().lstrip("T").strip()
            return datetime.combine(day_part, self._time(rest, text))
        for fmt in ("%Y/%m/%d", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y"):
            for tail in ("", " %H:%M", " %H:%M:%S"):
                try:
                    return datetime.strptime(text, fmt + tail)
                except ValueError:
                    continue
        raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD or YYYY-MM-DD HH:MM)")

    @staticmethod
    def _time(rest: str, text: str) -> time:
        if not rest:
            return time()
        for fmt in _TIME_FORMATS:
            try:
                return datetime.strptime(rest.upper(), fmt).time()
            except ValueError:
                continue
        raise ValueError(f"{text!r} is not a date and time")


def not_in_future(value: datetime) -> datetime:
    if value > timezone.now() + FUTURE_SLACK:
        raise ValueError(f"{value:%Y-%m-%d %H:%M} is in the future")
    return value


def choice_parser(
    values: list[str], labels: dict[str, str], what: str, extra: dict[str, str] | None = None
) -> Callable[[str], str]:
    """A parser accepting a choice's value or label in any case, plus a few common synonyms."""
    lookup: dict[str, str] = {}
    for value in values:
        lookup[value] = value
        lookup[value.replace("_", " ")] = value
        lookup[value.replace("_", "-")] = value
        lookup[value.replace("_", "")] = value
    for value, label in labels.items():
        lookup[label.lower()] = value
    for synonym, value in (extra or {}).items():
        lookup[synonym] = value
    listed = ", ".join(values)

    def parse(text: str) -> str:
        found = lookup.get(text.lower())
        if found is None:
            found = lookup.get(text.lower().strip())
        if found is None:
            raise ValueError(f"unknown {what} {text!r}; {what}s are {listed}")
        return found

    return parse


parse_stage = choice_parser(
    list(Stage.values),
    {s.value: s.label for s in Stage},
    "stage",
    {
        "subscriber": Stage.LEAD,
        "new": Stage.LEAD,
        "marketing qualified lead": Stage.MQL,
        "marketingqualifiedlead": Stage.MQL,
        "sales accepted lead": Stage.SAL,
        "salesacceptedlead": Stage.SAL,
        "sales qualified lead": Stage.SQL,
        "salesqualifiedlead": Stage.SQL,
        "unqualified": Stage.DISQUALIFIED,
        "nurture": Stage.RECYCLED,
        "nurturing": Stage.RECYCLED,
    },
)
parse_segment = choice_parser(
    list(Segment.values),
    {s.value: s.label for s in Segment},
    "segment",
    {"midmarket": "mid_market"},
)
parse_channel = choice_parser(
    list(Channel.values),
    {c.value: c.label for c in Channel},
    "channel",
    {
        "email marketing": Channel.EMAIL,
        "webinars": Channel.WEBINAR,
        "event": Channel.EVENTS,
        "conference": Channel.EVENTS,
        "trade show": Channel.EVENTS,
        "seo": Channel.ORGANIC_SEARCH,
        "ppc": Channel.PAID_SEARCH,
        "social": Channel.ORGANIC_SOCIAL,
        "partners": Channel.PARTNER,
        "outbound": Channel.OUTBOUND,
    },
)
parse_kind = choice_parser(list(TouchKind.values), {k.value: k.label for k in TouchKind}, "kind")
parse_team = choice_parser(list(Team.values), {t.value: t.label for t in Team}, "team")
parse_status = choice_parser(
    list(DealStatus.values),
    {s.value: s.label for s in DealStatus},
    "status",
    {"closed won": "won", "closedwon": "won", "closed lost": "lost", "closedlost": "lost"},
)


# --- the catalogue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One thing a column can fill on a record.

    ``kind`` says how the engine treats it: a plain ``value`` (parsed by ``parse``), a ``datetime``
    or ``date``, a ``link`` to another record found by one of ``by``, or a special meaning the
    entity's loader knows (``stage``, ``stage_date``, ``company``, ``deal_stage``).
    """

    name: str
    label: str
    kind: str = "value"
    parse: Callable[[str], Any] | None = None
    aliases: tuple[str, ...] = ()
    target: str = ""  # for links: lead, account, campaign, user
    by: tuple[
        str, ...
    ] = ()  # for links: the fields of the target a value may name; first is default
    column: str = ""  # the database column, when it differs from the name

    @property
    def db_column(self) -> str:
        return self.column or self.name


LINK_LABELS = {
    "external_id": "external id",
    "email": "email",
    "domain": "domain",
    "name": "name",
    "username": "username",
    "id": "Accord id",
}


def _fields(*specs: FieldSpec) -> dict[str, FieldSpec]:
    return {spec.name: spec for spec in specs}


def _stage_dates() -> tuple[FieldSpec, ...]:
    words = {
        "mql_at": ("MQL", ("marketing_qualified_lead", "mql")),
        "sal_at": ("SAL", ("sales_accepted_lead", "sal")),
        "sql_at": ("SQL", ("sales_qualified_lead", "sql")),
        "opportunity_at": ("opportunity", ("opportunity",)),
        "customer_at": ("customer", ("customer",)),
    }
    specs = []
    for name, (label, stems) in words.items():
        aliases: list[str] = [name]
        for stem in stems:
            aliases += [f"{stem}_date", f"became_{stem}", f"became_a_{stem}_date"]
            aliases += [f"became_an_{stem}_date", f"became_{stem}_date", f"{stem}_at"]
        specs.append(
            FieldSpec(name, f"Became {label} (date)", kind="stage_date", aliases=tuple(aliases))
        )
    return tuple(specs)


EXTERNAL_ID = FieldSpec(
    "external_id", "External id", parse=parse_text(100), aliases=("external_id", "id", "record_id")
)
CREATED_AT = FieldSpec(
    "created_at",
    "Created (date)",
    kind="datetime",
    aliases=("created_at", "create_date", "created_date", "createdate", "created"),
)
OWNER = FieldSpec(
    "owner",
    "Owner",
    kind="link",
    target="user",
    by=("email", "username"),
    column="owner_id",
    aliases=("owner", "owner_email"),
)

FIELDS: dict[str, dict[str, FieldSpec]] = {
    "accounts": _fields(
        EXTERNAL_ID,
        FieldSpec(
            "name", "Name", parse=parse_text(200), aliases=("name", "company_name", "account_name")
        ),
        FieldSpec(
            "domain",
            "Domain",
            parse=parse_domain,
            aliases=("domain", "website", "company_domain_name", "domain_name", "web_site"),
        ),
        FieldSpec("industry", "Industry", parse=parse_text(100), aliases=("industry",)),
        FieldSpec(
            "employees",
            "Employees",
            parse=parse_count,
            aliases=("employees", "number_of_employees", "no_of_employees", "employee_count"),
        ),
        FieldSpec(
            "country",
            "Country",
            parse=parse_text(100),
            aliases=("country", "country_region", "billing_country"),
        ),
        FieldSpec("segment", "Segment", parse=parse_segment, aliases=("segment",)),
        FieldSpec(
            "is_target",
            "Target account",
            parse=parse_bool,
            aliases=("is_target", "target", "target_account"),
        ),
        OWNER,
        CREATED_AT,
    ),
    "leads": _fields(
        FieldSpec(
            "external_id",
            "External id",
            parse=parse_text(100),
            aliases=("external_id", "id", "record_id", "lead_id", "contact_id"),
        ),
        FieldSpec(
            "email", "Email", parse=parse_email, aliases=("email", "e_mail", "email_address")
        ),
        FieldSpec(
            "first_name",
            "First name",
            parse=parse_text(100),
            aliases=("first_name", "firstname", "given_name"),
        ),
        FieldSpec(
            "last_name",
            "Last name",
            parse=parse_text(100),
            aliases=("last_name", "lastname", "surname", "family_name"),
        ),
        FieldSpec("title", "Title", parse=parse_text(200), aliases=("title", "job_title")),
        FieldSpec(
            "phone",
            "Phone",
            parse=parse_text(50),
            aliases=("phone", "phone_number", "telephone", "mobile_phone_number"),
        ),
        FieldSpec(
            "source",
            "Source",
            parse=parse_text(100),
            aliases=("source", "lead_source", "original_source"),
        ),
        FieldSpec(
            "stage",
            "Stage",
            kind="stage",
            parse=parse_stage,
            aliases=("stage", "lifecycle_stage", "lifecyclestage", "lead_stage"),
        ),
        CREATED_AT,
        *_stage_dates(),
        FieldSpec(
            "account",
            "Account",
            kind="link",
            target="account",
            by=("external_id", "domain", "name", "id"),
            column="account_id",
            aliases=("account", "account_id", "company_id", "associated_company_id"),
        ),
        FieldSpec(
            "company",
            "Company (finds or creates the account)",
            kind="company",
            parse=parse_text(200),
            aliases=("company", "company_name", "account_name", "organization"),
        ),
        OWNER,
    ),
    "deals": _fields(
        FieldSpec(
            "external_id",
            "External id",
            parse=parse_text(100),
            aliases=("external_id", "id", "record_id", "deal_id", "opportunity_id"),
        ),
        FieldSpec(
            "name",
            "Name",
            parse=parse_text(200),
            aliases=("name", "deal_name", "opportunity_name"),
        ),
        FieldSpec("amount", "Amount", parse=parse_decimal, aliases=("amount", "deal_amount")),
        FieldSpec(
            "stage",
            "Stage (pipeline stage, won or lost)",
            kind="deal_stage",
            aliases=("stage", "deal_stage", "pipeline_stage"),
        ),
        FieldSpec("status", "Status", parse=parse_status, aliases=("status", "deal_status")),
        FieldSpec(
            "loss_reason",
            "Loss reason",
            parse=parse_text(200),
            aliases=("loss_reason", "lost_reason", "closed_lost_reason"),
        ),
        CREATED_AT,
        FieldSpec(
            "closed_at",
            "Closed (date)",
            kind="datetime",
            aliases=("closed_at", "close_date", "closed_date"),
        ),
        FieldSpec(
            "account",
            "Account",
            kind="link",
            target="account",
            by=("external_id", "domain", "name", "id"),
            column="account_id",
            aliases=("account", "account_id", "company_id", "associated_company_id"),
        ),
        FieldSpec(
            "lead",
            "Primary lead",
            kind="link",
            target="lead",
            by=("external_id", "email", "id"),
            column="primary_lead_id",
            aliases=("lead", "primary_lead", "lead_id", "contact_id", "associated_contact_id"),
        ),
        OWNER,
    ),
    "campaigns": _fields(
        FieldSpec(
            "external_id",
            "External id",
            parse=parse_text(100),
            aliases=("external_id", "id", "campaign_id"),
        ),
        FieldSpec(
            "name", "Name", parse=parse_text(200), aliases=("name", "campaign_name", "campaign")
        ),
        FieldSpec(
            "channel",
            "Channel",
            parse=parse_channel,
            aliases=("channel", "type", "campaign_type"),
        ),
        FieldSpec("description", "Description", parse=parse_text(10_000), aliases=("description",)),
        FieldSpec(
            "starts_on", "Starts on", kind="date", aliases=("starts_on", "start_date", "start")
        ),
        FieldSpec("ends_on", "Ends on", kind="date", aliases=("ends_on", "end_date", "end")),
        FieldSpec("cost", "Cost", parse=parse_decimal, aliases=("cost", "actual_cost", "spend")),
        FieldSpec("owner_team", "Owner team", parse=parse_team, aliases=("owner_team", "team")),
        CREATED_AT,
    ),
    "touches": _fields(
        FieldSpec(
            "external_id",
            "External id",
            parse=parse_text(100),
            aliases=("external_id", "id", "touch_id", "event_id"),
        ),
        FieldSpec(
            "lead",
            "Lead",
            kind="link",
            target="lead",
            by=("external_id", "email", "id"),
            column="lead_id",
            aliases=("lead", "lead_external_id", "lead_id", "contact_id"),
        ),
        FieldSpec("kind", "Kind", parse=parse_kind, aliases=("kind", "touch_kind", "event_type")),
        FieldSpec("channel", "Channel", parse=parse_channel, aliases=("channel",)),
        FieldSpec(
            "campaign",
            "Campaign",
            kind="link",
            target="campaign",
            by=("external_id", "name", "id"),
            column="campaign_id",
            aliases=("campaign_external_id", "campaign_id"),
        ),
        FieldSpec("content", "Content", parse=parse_text(200), aliases=("content", "asset")),
        FieldSpec(
            "at",
            "Time",
            kind="datetime",
            aliases=("at", "time", "timestamp", "occurred_at", "date"),
        ),
    ),
}

# Header keys that name a link by something other than the link's default field.
LINK_ALIASES: dict[str, dict[str, tuple[str, str]]] = {
    "leads": {"account_domain": ("account", "domain"), "company_domain": ("account", "domain")},
    "deals": {
        "lead_email": ("lead", "email"),
        "contact_email": ("lead", "email"),
        "account_domain": ("account", "domain"),
        "account_name": ("account", "name"),
        "company_name": ("account", "name"),
    },
    "touches": {
        "lead_email": ("lead", "email"),
        "email": ("lead", "email"),
        "campaign": ("campaign", "name"),
        "campaign_name": ("campaign", "name"),
    },
    "accounts": {},
    "campaigns": {},
}


# Columns a file must map for its rows to be found or created at all, as alternatives: a leads
# file needs an email column or an external id column. The wizard refuses a mapping without them.
MUST_MAP: dict[str, list[tuple[str, ...]]] = {
    "accounts": [("name", "domain", "external_id")],
    "leads": [("email", "external_id")],
    "deals": [("name", "external_id")],
    "campaigns": [("name", "external_id")],
    "touches": [("lead",), ("kind",), ("at",)],
}
