"""Every write of the agreement document: proposals, their edits, signatures and coming into force,
withdrawal, comments, review reminders, and copies of scoring models for a proposal.

A version comes into force when the heads of marketing and sales have both signed it. The second
signature does it all in one transaction: archive the version in force, put the proposal in force,
switch the scoring models, snapshot the personas, audit; once committed, leads are re-matched,
rescored and qualified in the background (``accord.agreement.tasks.agreement_apply_task``).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string

from accord.agreement import services
from accord.agreement.audit import audit_record, changes, field_values, object_type
from accord.agreement.definitions import definition_clean
from accord.agreement.models import (
    Agreement,
    AgreementStatus,
    AuditEntry,
    EngagementRule,
    FeedbackCadence,
    FitRule,
    ModelStatus,
    Persona,
    ProposalComment,
    ReviewReminder,
    ScoringModel,
    Signature,
)
from accord.agreement.selectors import document_fingerprint
from accord.errors import AccordError, Conflict, NotAllowed
from accord.funnel.models import Segment
from accord.teams.models import Role, Team, User

Numbered = TypeVar("Numbered", ScoringModel, Agreement)

SIGNING_TEAMS = (Team.MARKETING, Team.SALES)
REVIEW_NOTICE_DAYS = 14
MAX_TEXT = 10_000
MAX_LIST = 100
MAX_COMMENT = 5_000

# The written terms: copied into a new proposal, compared by the diff, audited when changed.
TEXT_FIELDS = (
    "marketing_other",
    "sales_other",
    "points_of_contact",
    "meeting_cadence",
    "feedback_loops",
    "consequences",
    "disputes",
    "dissolution",
)
TERM_FIELDS = (
    "mql_definition",
    "sql_definition",
    "terminology",
    "mql_commitments",
    "min_acceptance_rate",
    *TEXT_FIELDS,
    "accept_within_hours",
    "first_contact_within_hours",
    "attempts",
    "attempts_within_days",
    "reason_required",
    "feedback_cadence",
    "rejection_reasons",
    "time_zone",
    "business_days",
    "business_start",
    "business_end",
    "holidays",
    "review_date",
    "review_cadence_months",
)
# Everything ``agreement_update`` takes. ``personas`` is a list of persona ids (or personas),
# ``scoring_model`` a scoring model (or its version).
EDITABLE_FIELDS = ("title", "summary", "personas", "scoring_model", *TERM_FIELDS)
# Edits that do not change what is signed, so they leave signatures standing.
WORDING_FIELDS = frozenset({"title", "summary"})

DEFAULT_TERMINOLOGY = [
    {
        "term": "MQL",
        "meaning": "Marketing qualified lead: meets the MQL definition; "
        "marketing hands it to sales.",
        "our_words": "",
    },
    {
        "term": "SAL",
        "meaning": "Sales accepted lead: sales accepted the MQL and will work it.",
        "our_words": "",
    },
    {
        "term": "SQL",
        "meaning": "Sales qualified lead: sales confirmed a real buying opportunity.",
        "our_words": "",
    },
]
DEFAULT_REJECTION_REASONS = [
    {"code": "bad_fit", "label": "Not our customer profile"},
    {"code": "no_budget", "label": "No budget"},
    {"code": "no_authority", "label": "Cannot decide or influence the purchase"},
    {"code": "no_need", "label": "No need for what we sell"},
    {"code": "bad_timing", "label": "Not buying in the next months"},
    {"code": "unreachable", "label": "Could not be reached"},
    {"code": "duplicate", "label": "Duplicate of another lead"},
    {"code": "competitor_or_student", "label": "Competitor, student or job seeker"},
]
DEFAULT_BUSINESS_DAYS = [1, 2, 3, 4, 5]


# --- who may do what --------------------------------------------------------------------------


def can_propose(user: User) -> bool:
    return user.is_active and (user.team in SIGNING_TEAMS or user.is_admin)


def can_sign(user: User) -> bool:
    """Only the head of marketing or of sales signs, for their team."""
    return user.is_active and user.role == Role.HEAD and user.team in SIGNING_TEAMS


def can_withdraw(user: User, agreement: Agreement) -> bool:
    return user.is_active and (
        user.pk == agreement.proposed_by_id or user.is_admin or can_sign(user)
    )


def _lock(agreement: Agreement) -> None:
    """Lock the agreement's row until the transaction ends, and reload it: a writer that waited
    for the lock sees what the one before it committed."""
    Agreement.objects.select_for_update().filter(pk=agreement.pk).first()
    agreement.refresh_from_db()


def _require_proposal(agreement: Agreement, doing: str) -> None:
    if agreement.status != AgreementStatus.DRAFT:
        raise Conflict(
            f"v{agreement.version} is {agreement.get_status_display().lower()}; "
            f"only proposals can be {doing}"
        )


# --- validation of the terms --------------------------------------------------------------------


def _bad(name: str, message: str) -> AccordError:
    return AccordError(f"{name.replace('_', ' ')}: {message}", fields={name: [message]})


def _text(value: Any, name: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _bad(name, "must be text")
    text = value.strip()
    if required and not text:
        raise _bad(name, "required")
    if len(text) > limit:
        raise _bad(name, f"at most {limit} characters")
    return text


def _whole(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(name, "must be a whole number")
    if not low <= value <= high:
        raise _bad(name, f"must be from {low} to {high}")
    return value


def _items(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _bad(name, "must be a list")
    if len(value) > MAX_LIST:
        raise _bad(name, f"at most {MAX_LIST} items")
    return value


def _records(value: Any, name: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """A list of objects with exactly ``keys`` (missing keys read as empty)."""
    records = []
    for i, item in enumerate(_items(value, name), start=1):
        if not isinstance(item, dict):
            raise _bad(name, f"item {i} must be an object with {', '.join(keys)}")
        unknown = set(item) - set(keys)
        if unknown:
            raise _bad(name, f"item {i} has an unknown key {sorted(unknown)[0]!r}")
        records.append({k: item.get(k) for k in keys})
    return records


def _terminology(value: Any) -> list[dict[str, str]]:
    name = "terminology"
    cleaned: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, item in enumerate(_records(value, name, ("term", "meaning", "our_words")), start=1):
        term = _text(item["term"], name, limit=60)
        if not term:
            raise _bad(name, f"item {i} needs a term")
        if term.lower() in seen:
            raise _bad(name, f"the term {term!r} is listed twice")
        seen.add(term.lower())
        cleaned.append(
            {
                "term": term,
                "meaning": _text(item["meaning"], name, limit=1000),
                "our_words": _text(item["our_words"], name, limit=200),
            }
        )
    return cleaned


def _commitments(value: Any) -> list[dict[str, Any]]:
    name = "mql_commitments"
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(_records(value, name, ("segment", "per_month")), start=1):
        segment = _text(item["segment"], name, limit=20)
        if segment and segment not in Segment.values:
            raise _bad(
                name, f"item {i}: unknown segment {segment!r}; use {', '.join(Segment.values)}"
            )
        if segment in seen:
            raise _bad(name, f"the segment {segment or 'all'!r} is listed twice")
        seen.add(segment)
        per_month = _whole(item["per_month"], name, 0, 1_000_000)
        cleaned.append({"segment": segment, "per_month": per_month})
    return cleaned


_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _rejection_reasons(value: Any) -> list[dict[str, str]]:
    name = "rejection_reasons"
    cleaned: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, item in enumerate(_records(value, name, ("code", "label")), start=1):
        code = _text(item["code"], name, limit=40)
        if not _CODE.match(code):
            raise _bad(
                name, f"item {i}: the code must be lower case letters, digits and _ (got {code!r})"
            )
        if code in seen:
            raise _bad(name, f"the code {code!r} is listed twice")
        seen.add(code)
        label = _text(item["label"], name, limit=200)
        if not label:
            raise _bad(name, f"item {i} needs a label")
        cleaned.append({"code": code, "label": label})
    return cleaned


def _time_zone(value: Any) -> str:
    name = _text(value, "time_zone", required=True, limit=64)
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise _bad("time_zone", f"unknown time zone {name!r} (e.g. Europe/Berlin)") from exc
    return name


def _business_days(value: Any) -> list[int]:
    days = _items(value, "business_days")
    if not days:
        raise _bad("business_days", "at least one day (1 = Monday … 7 = Sunday)")
    cleaned = {_whole(d, "business_days", 1, 7) for d in days}
    if len(cleaned) != len(days):
        raise _bad("business_days", "a day is listed twice")
    return sorted(cleaned)


def _time(value: Any, name: str) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value.strip()).replace(second=0, microsecond=0)
        except ValueError:
            pass
    raise _bad(name, "must be a time of day, HH:MM")


def _date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _bad(name, "must be a date, YYYY-MM-DD")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _bad(name, "must be a date, YYYY-MM-DD")


def _holidays(value: Any) -> list[dict[str, str]]:
    name = "holidays"
    by_date: dict[dt.date, str] = {}
    for i, item in enumerate(_records(value, name, ("date", "name")), start=1):
        try:
            day = _date(item["date"], name)
        except AccordError as exc:
            raise _bad(name, f"item {i}: the date must be YYYY-MM-DD") from exc
        if day in by_date:
            raise _bad(name, f"{day.isoformat()} is listed twice")
        by_date[day] = _text(item["name"], name, limit=120)
    return [{"date": d.isoformat(), "name": n} for d, n in sorted(by_date.items())]


def _personas(value: Any) -> list[Persona]:
    items = _items(value, "personas")
    ids = []
    for item in items:
        if isinstance(item, Persona):
            ids.append(item.pk)
        else:
            ids.append(_whole(item, "personas", 1, 2**31 - 1))
    found = {p.pk: p for p in Persona.objects.filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise _bad("personas", f"no persona with id {missing[0]}")
    return [found[i] for i in dict.fromkeys(ids)]


def _scoring_model(value: Any) -> ScoringModel:
    if isinstance(value, ScoringModel):
        model = value
    else:
        version = _whole(value, "scoring_model", 1, 2**31 - 1)
        found = ScoringModel.objects.filter(version=version).first()
        if found is None:
            raise _bad("scoring_model", f"no scoring model v{version}")
        model = found
    if model.status == ModelStatus.ARCHIVED:
        raise _bad("scoring_model", f"scoring model v{model.version} is archived; copy it first")
    return model


def _clean(name: str, value: Any) -> Any:
    """One field of the document, validated and normalised."""
    if name == "title":
        return _text(value, name, required=True, limit=200)
    if name == "summary":
        return _text(value, name)
    if name in TEXT_FIELDS:
        return _text(value, name)
    if name in ("mql_definition", "sql_definition"):
        return definition_clean(value, name=name)
    if name == "terminology":
        return _terminology(value)
    if name == "mql_commitments":
        return _commitments(value)
    if name == "min_acceptance_rate":
        return _whole(value, name, 0, 100)
    if name in ("accept_within_hours", "first_contact_within_hours"):
        return _whole(value, name, 1, 24 * 30)
    if name == "attempts":
        return _whole(value, name, 1, 50)
    if name == "attempts_within_days":
        return _whole(value, name, 1, 365)
    if name == "reason_required":
        if not isinstance(value, bool):
            raise _bad(name, "must be true or false")
        return value
    if name == "feedback_cadence":
        if value not in FeedbackCadence.values:
            raise _bad(name, f"use one of {', '.join(FeedbackCadence.values)}")
        return value
    if name == "rejection_reasons":
        return _rejection_reasons(value)
    if name == "time_zone":
        return _time_zone(value)
    if name == "business_days":
        return _business_days(value)
    if name in ("business_start", "business_end"):
        return _time(value, name)
    if name == "holidays":
        return _holidays(value)
    if name == "review_date":
        return None if value in (None, "") else _date(value, name)
    if name == "review_cadence_months":
        return _whole(value, name, 1, 24)
    if name == "personas":
        return _personas(value)
    if name == "scoring_model":
        return _scoring_model(value)
    raise AccordError(f"unknown agreement field {name!r}", fields={name: ["unknown field"]})


def _check_whole(agreement: Agreement) -> None:
    """Rules that tie fields together."""
    if agreement.business_start >= agreement.business_end:
        raise AccordError(
            "the business day must start before it ends",
            fields={"business_end": ["after the start"]},
        )
    if agreement.reason_required and not agreement.rejection_reasons:
        raise AccordError(
            "a reason is required on every rejection, so list at least one rejection reason",
            fields={"rejection_reasons": ["at least one"]},
        )


# --- snapshots for the audit log and the diff ----------------------------------------------------


def agreement_values(agreement: Agreement) -> dict[str, Any]:
    """Every editable field as JSON (personas as sorted ids, the scoring model as its id)."""
    values = field_values(
        agreement, [f for f in EDITABLE_FIELDS if f not in ("personas", "scoring_model")]
    )
    values["scoring_model"] = agreement.scoring_model_id
    values["personas"] = sorted(agreement.personas.values_list("pk", flat=True))
    return values


def _persona_snapshot(personas: Iterable[Persona]) -> list[dict[str, Any]]:
    return [
        {
            "id": p.pk,
            "name": p.name,
            "description": p.description,
            "pains": p.pains,
            "goals": p.goals,
            "objections": p.objections,
            "messaging": p.messaging,
            "criteria": p.criteria,
            "priority": p.priority,
        }
        for p in personas
    ]


def _numbered(obj: Numbered) -> Numbered:
    """Save ``obj`` numbered after the last version. Two writers at once may pick the same
    number: the unique version refuses the later one, which is told to try again."""
    last = type(obj).objects.aggregate(v=Max("version"))["v"] or 0
    obj.version = last + 1
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise Conflict("another version was numbered at the same moment; try again") from exc
    return obj


# --- scoring models -----------------------------------------------------------------------------


@transaction.atomic
def scoring_model_copy(*, model: ScoringModel, by: User | None, name: str = "") -> ScoringModel:
    """A new draft scoring model, numbered after the last, with copies of ``model``'s rules."""
    copy = _numbered(
        ScoringModel(
            name=(name or model.name).strip()[:120], status=ModelStatus.DRAFT, created_by=by
        )
    )
    FitRule.objects.bulk_create(
        FitRule(
            model=copy,
            label=rule.label,
            criteria=rule.criteria,
            points=rule.points,
            position=rule.position,
        )
        for rule in model.fit_rules.all()
    )
    EngagementRule.objects.bulk_create(
        EngagementRule(
            model=copy,
            label=rule.label,
            kinds=rule.kinds,
            channels=rule.channels,
            campaign_ids=rule.campaign_ids,
            content_contains=rule.content_contains,
            points=rule.points,
            cap=rule.cap,
            half_life_days=rule.half_life_days,
            position=rule.position,
        )
        for rule in model.engagement_rules.all()
    )
    audit_record(
        actor=by,
        action="copy",
        obj=copy,
        summary=f"copied scoring model v{model.version} into draft v{copy.version}",
        after={"copied_from": model.version},
    )
    return copy


# --- proposals ----------------------------------------------------------------------------------


def _defaults() -> dict[str, Any]:
    return {
        "terminology": DEFAULT_TERMINOLOGY,
        "rejection_reasons": DEFAULT_REJECTION_REASONS,
        "business_days": DEFAULT_BUSINESS_DAYS,
        "business_start": dt.time(9, 0),
        "business_end": dt.time(17, 0),
        "time_zone": settings.TIME_ZONE,
        "review_cadence_months": 3,
    }


@transaction.atomic
def agreement_propose(
    *, by: User, title: str, summary: str = "", based_on: Agreement | None = None
) -> Agreement:
    """Draft a new version, numbered after the last, as a copy of ``based_on`` (by default the
    version in force): its terms (but the review date), personas, definitions and a new draft
    copy of its scoring model.

    The proposal is recorded as replacing the version in force at the time (``based_on``); it can
    only be signed while that version is still in force. With nothing in force and nothing to
    copy, it starts from sensible defaults and a new empty scoring model (or a copy of a scoring
    model in force on its own).
    """
    if not can_propose(by):
        raise NotAllowed("only people on the marketing or sales team can propose an agreement")
    title = _clean("title", title)
    summary = _clean("summary", summary)
    in_force = Agreement.objects.filter(status=AgreementStatus.IN_FORCE).first()
    source = based_on or in_force
    proposal = Agreement(
        title=title,
        summary=summary,
        status=AgreementStatus.DRAFT,
        based_on=in_force,
        proposed_by=by,
    )
    if source is not None:
        for name in TERM_FIELDS:
            setattr(proposal, name, getattr(source, name))
        # The review date belongs to the version being reviewed; the new one gets its own
        # (agreed, or set from the cadence when it comes into force).
        proposal.review_date = None
        personas = list(source.personas.all())
        model = source.scoring_model
    else:
        for name, value in _defaults().items():
            setattr(proposal, name, value)
        personas = list(Persona.objects.all())
        model = ScoringModel.objects.filter(status=ModelStatus.IN_FORCE).first()
    if model is not None:
        proposal.scoring_model = scoring_model_copy(model=model, by=by)
    else:
        proposal.scoring_model = _numbered(ScoringModel(name=title[:120], created_by=by))
    _numbered(proposal)
    proposal.personas.set(personas)
    copied = f", copied from v{source.version}" if source is not None else ""
    audit_record(
        actor=by,
        action="propose",
        obj=proposal,
        summary=f"proposed v{proposal.version} {title!r}{copied}",
        after=agreement_values(proposal),
    )
    return proposal


def _withdraw_signatures(agreement: Agreement, by: User | None, why: str) -> None:
    for signature in agreement.signatures.select_related("signed_by"):
        audit_record(
            actor=by,
            action="unsign",
            obj=agreement,
            summary=f"{Team(signature.team).label} signature by {signature.signed_by} "
            f"withdrawn: {why}",
            before={"team": signature.team, "signed_by": signature.signed_by_id},
        )
    agreement.signatures.all().delete()


def _withdraw_stale_signatures(agreement: Agreement, by: User, document: str) -> None:
    """Withdraw the signatures given to another text of the proposal than ``document``.

    ``agreement_update`` and the rule services withdraw signatures as they change a proposal;
    this catches every other path (a persona edited after a head signed, a rule added by a
    write path that does not know about signatures): each signature's audit entry records
    the digest of what was signed, and only the same text comes into force.
    """
    for signature in list(agreement.signatures.select_related("signed_by")):
        entry = (
            AuditEntry.objects.filter(
                object_type=object_type(agreement),
                object_id=str(agreement.pk),
                action="sign",
                after__team=signature.team,
            )
            .order_by("-id")
            .first()
        )
        signed = entry.after.get("document") if entry else None
        if signed is not None and signed != document:
            audit_record(
                actor=by,
                action="unsign",
                obj=agreement,
                summary=f"{Team(signature.team).label} signature by {signature.signed_by} "
                "withdrawn: the proposal changed after it was signed",
                before={"team": signature.team, "signed_by": signature.signed_by_id},
            )
            signature.delete()


def signatures_withdraw_for_model(*, model: ScoringModel, by: User | None) -> int:
    """A draft scoring model's rules changed: withdraw the signatures on proposals using it.
    Returns the number of proposals whose signatures were withdrawn."""
    count = 0
    proposals = Agreement.objects.filter(
        scoring_model=model, status=AgreementStatus.DRAFT, signatures__isnull=False
    ).distinct()
    for proposal in proposals:
        _withdraw_signatures(proposal, by, f"scoring model v{model.version} changed")
        count += 1
    return count


@transaction.atomic
def fit_rule_add(*, model: ScoringModel, by: User, **fields: Any) -> FitRule:
    """Add a fit rule to a draft scoring model (``services.fit_rule_create`` takes the fields);
    proposals using the model lose the signatures given so far, since what they say changed."""
    if not can_propose(by):
        raise NotAllowed("only people on the marketing or sales team can change scoring rules")
    rule = services.fit_rule_create(model=model, by=by, **fields)
    signatures_withdraw_for_model(model=model, by=by)
    return rule


@transaction.atomic
def engagement_rule_add(*, model: ScoringModel, by: User, **fields: Any) -> EngagementRule:
    """Add an engagement rule to a draft scoring model; as ``fit_rule_add``."""
    if not can_propose(by):
        raise NotAllowed("only people on the marketing or sales team can change scoring rules")
    rule = services.engagement_rule_create(model=model, by=by, **fields)
    signatures_withdraw_for_model(model=model, by=by)
    return rule


@transaction.atomic
def agreement_update(*, agreement: Agreement, by: User, **fields: Any) -> Agreement:
    """Change a proposal. Every field is validated; the changed ones are audited (before and
    after); a change to what is signed withdraws the signatures given so far."""
    if not can_propose(by):
        raise NotAllowed("only people on the marketing or sales team can edit a proposal")
    _lock(agreement)
    _require_proposal(agreement, "changed")
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise AccordError(
            f"unknown agreement field {unknown[0]!r}",
            fields={n: ["unknown field"] for n in unknown},
        )
    cleaned = {name: _clean(name, value) for name, value in fields.items()}
    before_values = agreement_values(agreement)
    personas = cleaned.pop("personas", None)
    for name, value in cleaned.items():
        setattr(agreement, name, value)
    _check_whole(agreement)
    agreement.updated_at = timezone.now()
    agreement.save()
    if personas is not None:
        agreement.personas.set(personas)
    before, after = changes(before_values, agreement_values(agreement))
    if not after:
        return agreement
    audit_record(
        actor=by,
        action="update",
        obj=agreement,
        summary=f"changed {', '.join(after)} of v{agreement.version}",
        before=before,
        after=after,
    )
    if set(after) - WORDING_FIELDS:
        _withdraw_signatures(agreement, by, "the proposal changed")
    return agreement


@transaction.atomic
def agreement_withdraw(*, agreement: Agreement, by: User) -> Agreement:
    """Withdraw a proposal: it can no longer be signed or changed. Its proposer, a head of
    marketing or sales, or an admin may withdraw it."""
    _lock(agreement)
    if not can_withdraw(by, agreement):
        raise NotAllowed(
            "only the proposer, a head of marketing or sales, or an admin can withdraw"
        )
    _require_proposal(agreement, "withdrawn")
    agreement.status = AgreementStatus.WITHDRAWN
    agreement.updated_at = timezone.now()
    agreement.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action="withdraw",
        obj=agreement,
        summary=f"withdrew proposal v{agreement.version}",
        before={"status": AgreementStatus.DRAFT},
        after={"status": AgreementStatus.WITHDRAWN},
    )
    return agreement


@transaction.atomic
def comment_add(*, agreement: Agreement, by: User, body: str) -> ProposalComment:
    """Comment on a version (usually a proposal). Anyone signed in may comment."""
    if not by.is_active:
        raise NotAllowed("inactive users cannot comment")
    text = _text(body, "body", required=True, limit=MAX_COMMENT)
    if agreement.status == AgreementStatus.WITHDRAWN:
        raise Conflict(f"v{agreement.version} was withdrawn; comments are closed")
    return ProposalComment.objects.create(agreement=agreement, author=by, body=text)


# --- signing and coming into force ----------------------------------------------------------------


@transaction.atomic
def agreement_sign(*, agreement: Agreement, by: User, at: dt.datetime | None = None) -> Agreement:
    """Sign a proposal for the signer's team. The second team's signature puts it in force.

    Only the head of marketing or of sales signs; each team signs once; a proposal drafted
    against a version that is no longer in force cannot be signed (draft again from the new one).
    """
    if not can_sign(by):
        raise NotAllowed("only the head of marketing or the head of sales can sign an agreement")
    at = at or timezone.now()
    # Lock the proposal: two signatures on it are serialised, the later one sees the earlier
    # (and is refused if it is the same team, or finds the proposal already in force).
    _lock(agreement)
    _require_proposal(agreement, "signed")
    if agreement.based_on_id is not None:
        # Lock the version this proposal replaces: two proposals replacing the same version
        # are serialised here, and the later one finds it archived below and is refused.
        Agreement.objects.select_for_update().filter(pk=agreement.based_on_id).first()
    in_force = Agreement.objects.filter(status=AgreementStatus.IN_FORCE).first()
    if in_force is not None and in_force.pk != agreement.based_on_id:
        raise Conflict(
            f"v{in_force.version} is now in force; draft again from it "
            f"(v{agreement.version} was drafted before it came into force)"
        )
    if agreement.signatures.filter(team=by.team).exists():
        raise Conflict(f"{by.get_team_display()} has already signed v{agreement.version}")
    document = document_fingerprint(agreement)
    _withdraw_stale_signatures(agreement, by, document)
    Signature.objects.create(agreement=agreement, team=by.team, signed_by=by, signed_at=at)
    audit_record(
        actor=by,
        action="sign",
        obj=agreement,
        summary=f"{by} signed v{agreement.version} for {by.get_team_display()}",
        after={"team": by.team, "signed_by": by.pk, "signed_at": at, "document": document},
    )
    signed = set(agreement.signatures.values_list("team", flat=True))
    if signed >= set(SIGNING_TEAMS):
        try:
            # When nothing was in force there is no common row to lock: two first proposals
            # signed at once meet at the one-in-force unique constraints instead, which make
            # the later one wait for the earlier one's commit and then fail. A savepoint turns
            # that into a refusal rather than a broken transaction.
            with transaction.atomic():
                _bring_into_force(agreement, in_force, by, at)
        except IntegrityError as exc:
            raise Conflict(
                "another version came into force at the same moment; draft again from it"
            ) from exc
    return agreement


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _bring_into_force(
    agreement: Agreement, in_force: Agreement | None, by: User, at: dt.datetime
) -> None:
    """Archive the version in force and put ``agreement`` in force, with its scoring model.
    Runs inside ``agreement_sign``'s transaction, with both agreement rows locked."""
    if in_force is not None:
        in_force.status = AgreementStatus.ARCHIVED
        in_force.archived_at = at
        in_force.save(update_fields=["status", "archived_at"])
        audit_record(
            actor=by,
            action="archive",
            obj=in_force,
            summary=f"v{in_force.version} archived: replaced by v{agreement.version}",
            before={"status": AgreementStatus.IN_FORCE},
            after={"status": AgreementStatus.ARCHIVED},
        )
    model = agreement.scoring_model
    if model is not None and model.status != ModelStatus.IN_FORCE:
        # One scoring model in force, like one agreement; the old one is archived first so the
        # partial unique constraint holds at every statement.
        ScoringModel.objects.filter(status=ModelStatus.IN_FORCE).update(status=ModelStatus.ARCHIVED)
        ScoringModel.objects.filter(pk=model.pk).update(status=ModelStatus.IN_FORCE)
        model.status = ModelStatus.IN_FORCE
        audit_record(
            actor=by,
            action="in_force",
            obj=model,
            summary=f"scoring model v{model.version} in force with agreement v{agreement.version}",
            after={"status": ModelStatus.IN_FORCE},
        )
    agreement.status = AgreementStatus.IN_FORCE
    agreement.in_force_at = at
    agreement.persona_snapshot = _persona_snapshot(agreement.personas.all())
    if agreement.review_date is None:
        local = timezone.localtime(at, zoneinfo.ZoneInfo(agreement.time_zone)).date()
        agreement.review_date = _add_months(local, agreement.review_cadence_months)
    agreement.save(update_fields=["status", "in_force_at", "persona_snapshot", "review_date"])
    audit_record(
        actor=by,
        action="in_force",
        obj=agreement,
        summary=f"v{agreement.version} in force: signed by marketing and sales",
        before={"status": AgreementStatus.DRAFT},
        after={"status": AgreementStatus.IN_FORCE, "in_force_at": at},
    )
    agreement_id = agreement.pk
    transaction.on_commit(lambda: _enqueue_apply(agreement_id))


def _enqueue_apply(agreement_id: int) -> None:
    # By name: the task module imports the services that import this one.
    import_string("accord.agreement.tasks.agreement_apply_task").enqueue(agreement_id)


# --- review reminders ----------------------------------------------------------------------------


@transaction.atomic
def review_reminders_raise(*, today: dt.date | None = None) -> list[ReviewReminder]:
    """Raise the reminder for the version in force once its review date is at most
    ``REVIEW_NOTICE_DAYS`` away (or past). Safe to run any number of times: one per version."""
    today = today or timezone.localdate()
    # Locks the version in force (not the outer-joined reminder) so two runs raise one reminder.
    due = Agreement.objects.select_for_update(of=("self",)).filter(
        status=AgreementStatus.IN_FORCE,
        review_date__isnull=False,
        review_date__lte=today + dt.timedelta(days=REVIEW_NOTICE_DAYS),
        review_reminder__isnull=True,
    )
    raised = []
    for agreement in due:
        assert agreement.review_date is not None
        reminder = ReviewReminder.objects.create(
            agreement=agreement, review_date=agreement.review_date
        )
        audit_record(
            actor=None,
            action="remind",
            obj=agreement,
            summary=f"review of v{agreement.version} due on {agreement.review_date.isoformat()}",
            after={"review_date": agreement.review_date},
        )
        raised.append(reminder)
    return raised
