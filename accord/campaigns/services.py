"""Writes for campaigns and touches, including the bulk touch ingestion the API and import share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accord.agreement.tasks import leads_refresh_later
from accord.bulk import db_datetime, insert_rows
from accord.campaigns.models import Campaign, Channel, Touch, TouchKind
from accord.errors import AccordError, Conflict
from accord.funnel.models import Lead
from accord.teams.models import Team, User

CAMPAIGN_FIELDS = (
    "external_id",
    "name",
    "channel",
    "description",
    "starts_on",
    "ends_on",
    "cost",
    "owner_team",
)


def _check_campaign(campaign: Campaign) -> None:
    if campaign.channel not in Channel.values:
        raise AccordError(
            f"unknown channel {campaign.channel!r}",
            fields={"channel": [f"one of {', '.join(Channel.values)}"]},
        )
    if campaign.owner_team not in Team.values:
        raise AccordError(
            f"unknown team {campaign.owner_team!r}",
            fields={"owner_team": [f"one of {', '.join(Team.values)}"]},
        )
    try:
        campaign.cost = Decimal(str(campaign.cost))
    except InvalidOperation as exc:
        raise AccordError("the cost is not a number", fields={"cost": ["not a number"]}) from exc
    if campaign.cost < 0:
        raise AccordError("the cost cannot be negative", fields={"cost": ["negative"]})
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        raise AccordError(
            "a campaign cannot end before it starts", fields={"ends_on": ["before starts_on"]}
        )
    if not campaign.name.strip():
        raise AccordError("a campaign needs a name", fields={"name": ["required"]})


def _save_campaign(campaign: Campaign) -> None:
    _check_campaign(campaign)
    try:
        with transaction.atomic():
            campaign.full_clean(validate_unique=False)
            campaign.save()
    except ValidationError as exc:
        raise AccordError(
            "some fields are not valid",
            fields={k: [str(m) for m in v] for k, v in exc.message_dict.items()},
        ) from exc
    except IntegrityError as exc:
        raise Conflict(
            "another campaign already has this name or external id",
            fields={"name": ["already used"]},
        ) from exc


def campaign_create(*, by: User | None, name: str, channel: str, **fields: Any) -> Campaign:
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise AccordError(f"unknown campaign field {sorted(unknown)[0]!r}")
    campaign = Campaign(name=name.strip(), channel=channel, **fields)
    campaign.external_id = campaign.external_id or None
    _save_campaign(campaign)
    return campaign


def campaign_update(*, campaign: Campaign, by: User | None, **fields: Any) -> Campaign:
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise AccordError(f"unknown campaign field {sorted(unknown)[0]!r}")
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.external_id = campaign.external_id or None
    _save_campaign(campaign)
    return campaign


# --- touches -----------------------------------------------------------------------------------

MAX_BULK_TOUCHES = 10_000
TOUCH_COLUMNS = ("external_id", "lead_id", "kind", "channel", "campaign_id", "content", "at")


@dataclass
class TouchRejection:
    index: int  # 0-based position in the input
    field: str
    reason: str


@dataclass
class IngestResult:
    created: int = 0
    unchanged: int = 0
    rejected: list[TouchRejection] = field(default_factory=list)


def _parse_at(value: Any) -> datetime:
    if isinstance(value, datetime):
        parsed: datetime | None = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, datetime.min.time())
    else:
        text = str(value or "").strip()
        parsed = parse_datetime(text) if text else None
        if parsed is None and len(text) == 10:
            try:
                parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
            except ValueError:
                parsed = None
    if parsed is None:
        raise ValueError(f"{value!r} is not a date and time (use ISO 8601)")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def _lookup(model: Any, field_name: str, values: set[str]) -> dict[str, int]:
    if not values:
        return {}
    found: dict[str, int] = {}
    chunk = sorted(values)
    # Stay under SQLite's bound-parameter limit.
    for i in range(0, len(chunk), 900):
        part = chunk[i : i + 900]
        found.update(
            model.objects.filter(**{f"{field_name}__in": part}).values_list(field_name, "id")
        )
    return found


def touches_ingest(*, rows: Iterable[Mapping[str, Any]], by: User | None) -> IngestResult:
    """Validate and store touches set-wise; idempotent on ``external_id``.

    Each row names its lead by ``lead_id``, ``lead_external_id`` or ``lead_email``, and may name a
    campaign by ``campaign_id``, ``campaign_external_id`` or ``campaign`` (its name). Touches are
    immutable events: a row whose ``external_id`` is already stored is left as it is and counted
    unchanged. Bad rows are reported and every valid row is stored, in one transaction.
    """
    rows = list(rows)
    result = IngestResult()
    lead_ext = {str(r["lead_external_id"]) for r in rows if r.get("lead_external_id")}
    lead_email = {str(r["lead_email"]).strip().lower() for r in rows if r.get("lead_email")}
    lead_ids = {int(r["lead_id"]) for r in rows if str(r.get("lead_id") or "").isdigit()}
    camp_ext = {str(r["campaign_external_id"]) for r in rows if r.get("campaign_external_id")}
    camp_names = {str(r["campaign"]) for r in rows if r.get("campaign")}
    camp_ids = {int(r["campaign_id"]) for r in rows if str(r.get("campaign_id") or "").isdigit()}
    by_ext = _lookup(Lead, "external_id", lead_ext)
    by_email = _lookup(Lead, "email", lead_email)
    known_leads = (
        set(Lead.objects.filter(id__in=lead_ids).values_list("id", flat=True))
        if lead_ids
        else set()
    )
    camp_by_ext = _lookup(Campaign, "external_id", camp_ext)
    camp_by_name = _lookup(Campaign, "name", camp_names)
    known_camps = (
        set(Campaign.objects.filter(id__in=camp_ids).values_list("id", flat=True))
        if camp_ids
        else set()
    )

    # A touch without a channel takes its campaign's, as touch_create does.
    referenced = known_camps | set(camp_by_ext.values()) | set(camp_by_name.values())
    campaign_channel = (
        dict(Campaign.objects.filter(id__in=referenced).values_list("id", "channel"))
        if referenced
        else {}
    )

    kinds, channels = set(TouchKind.values), set(Channel.values)
    good: list[tuple[Any, ...]] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):

        def reject(field_name: str, reason: str, index: int = index) -> None:
            result.rejected.append(TouchRejection(index=index, field=field_name, reason=reason))

        lead_id: int | None = None
        if row.get("lead_id"):
            raw = str(row["lead_id"])
            lead_id = int(raw) if raw.isdigit() and int(raw) in known_leads else None
            if lead_id is None:
                reject("lead_id", f"no lead with id {raw}")
                continue
        elif row.get("lead_external_id"):
            lead_id = by_ext.get(str(row["lead_external_id"]))
            if lead_id is None:
                reject("lead_external_id", f"no lead with external id {row['lead_external_id']!r}")
                continue
        elif row.get("lead_email"):
            lead_id = by_email.get(str(row["lead_email"]).strip().lower())
            if lead_id is None:
                reject("lead_email", f"no lead with email {row['lead_email']!r}")
                continue
        else:
            reject("lead", "name the lead by lead_id, lead_external_id or lead_email")
            continue
        kind = str(row.get("kind") or "").strip().lower()
        if kind not in kinds:
            reject(
                "kind", f"unknown touch kind {row.get('kind')!r}; one of {', '.join(sorted(kinds))}"
            )
            continue
        channel = str(row.get("channel") or "").strip().lower()
        if channel and channel not in channels:
            reject("channel", f"unknown channel {row.get('channel')!r}")
            continue
        campaign_id: int | None = None
        if row.get("campaign_id"):
            raw = str(row["campaign_id"])
            campaign_id = int(raw) if raw.isdigit() and int(raw) in known_camps else None
            if campaign_id is None:
                reject("campaign_id", f"no campaign with id {raw}")
                continue
        elif row.get("campaign_external_id"):
            campaign_id = camp_by_ext.get(str(row["campaign_external_id"]))
            if campaign_id is None:
                reject(
                    "campaign_external_id",
                    f"no campaign with external id {row['campaign_external_id']!r}",
                )
                continue
        elif row.get("campaign"):
            campaign_id = camp_by_name.get(str(row["campaign"]))
            if campaign_id is None:
                reject("campaign", f"no campaign named {row['campaign']!r}")
                continue
        try:
            at = _parse_at(row.get("at"))
        except ValueError as exc:
            reject("at", str(exc))
            continue
        external_id = str(row.get("external_id") or "").strip() or None
        if external_id:
            if external_id in seen:
                result.unchanged += 1
                continue
            seen.add(external_id)
        content = str(row.get("content") or "")[:200]
        if not channel and campaign_id is not None:
            channel = campaign_channel.get(campaign_id, "")
        good.append((external_id, lead_id, kind, channel, campaign_id, content, db_datetime(at)))
    with transaction.atomic():
        inserted = insert_rows(Touch._meta.db_table, TOUCH_COLUMNS, good, conflict=("external_id",))
        # Scores and MQL status follow the touches: one background task for the whole batch.
        leads_refresh_later(row[1] for row in good)
    result.created = inserted
    result.unchanged += len(good) - inserted
    return result


def touch_create(
    *,
    by: User | None,
    lead: Lead,
    kind: str,
    at: datetime | None = None,
    channel: str = "",
    campaign: Campaign | None = None,
    content: str = "",
    external_id: str | None = None,
) -> Touch:
    if kind not in TouchKind.values:
        raise AccordError(f"unknown touch kind {kind!r}", fields={"kind": ["unknown"]})
    if channel and channel not in Channel.values:
        raise AccordError(f"unknown channel {channel!r}", fields={"channel": ["unknown"]})
    try:
        touch = Touch.objects.create(
            lead=lead,
            kind=kind,
            at=at or timezone.now(),
            channel=channel or (campaign.channel if campaign else ""),
            campaign=campaign,
            content=content[:200],
            external_id=external_id or None,
        )
    except IntegrityError as exc:
        raise Conflict(
            "a touch with this external id exists", fields={"external_id": ["taken"]}
        ) from exc
    leads_refresh_later([lead.pk])
    return touch
