"""Pages for leads, accounts and deals, and the record's settings (custom properties, pipeline).

Lists return the whole page, or only their results when htmx asks (the filter bar, the sort
headers and the pager swap the results in place and push the URL, so back, forward and bookmarks
keep working). Every write calls a service; a service's AccordError is shown next to the fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django_htmx.http import push_url

from accord.agreement.models import Persona
from accord.agreement.selectors import lead_persona
from accord.errors import AccordError, NotAllowed
from accord.funnel import services
from accord.funnel.forms import (
    PICKER_SIZE,
    AccountForm,
    DealForm,
    DealStageForm,
    LeadForm,
    LoseForm,
    MoveForm,
    NoteForm,
    PipelineStageForm,
    PropertyForm,
    RecordForm,
    lead_label,
    people,
)
from accord.funnel.models import (
    Account,
    Deal,
    DealStatus,
    Entity,
    Lead,
    PipelineStage,
    PropertyDefinition,
    PropertyType,
    Segment,
    Stage,
)
from accord.funnel.selectors import (
    ACCOUNT_SORTS,
    DEAL_SORTS,
    LEAD_SORTS,
    AccountFilter,
    DealFilter,
    LeadFilter,
    lead_timeline,
    resolve_sort,
)
from accord.pagination import decode_cursor, encode_cursor, paginate
from accord.scoring.selectors import lead_score
from accord.teams.views import refused

M = TypeVar("M", bound=Model)

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 200
# Query-string keys that only move through a list; the rest are filters.
PAGING_KEYS = {"sort", "cursor", "before", "per_page"}
TIMELINE_COLOURS = {
    "touch": "azure",
    "stage": "purple",
    "deal_opened": "orange",
    "deal_won": "green",
    "deal_lost": "red",
    "note": "yellow",
}


# --- lists -------------------------------------------------------------------------------------


@dataclass
class SortHeader:
    url: str
    active: bool
    descending: bool


@dataclass
class Listing:
    """One page of a list, with the links that move through it and the fault of a bad filter."""

    items: list[Any] = field(default_factory=list)
    error: str = ""
    error_fields: dict[str, list[str]] = field(default_factory=dict)
    next_url: str = ""
    prev_url: str = ""
    first_url: str = ""
    sort: str = ""
    per_page: int = DEFAULT_PER_PAGE
    filtered: bool = False
    headers: dict[str, SortHeader] = field(default_factory=dict)
    # Values a tidy address leaves out because they are what the list does anyway.
    defaults: dict[str, str] = field(default_factory=dict)


def _url(request: HttpRequest, params: QueryDict) -> str:
    encoded = params.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def clean_params(
    request: HttpRequest, defaults: dict[str, str] | None = None, **changes: str | None
) -> QueryDict:
    """The query string without empty or default values, with some keys changed (None removes
    one)."""
    defaults = defaults or {}
    params = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [v for v in values if v != "" and [v] != [defaults.get(key)]]
        if kept:
            params.setlist(key, kept)
    for key, value in changes.items():
        if value is None or value == defaults.get(key):
            params.pop(key, None)
        else:
            params[key] = value
    return params


def per_page(request: HttpRequest) -> int:
    raw = request.GET.get("per_page", "")
    try:
        return max(1, min(MAX_PER_PAGE, int(raw)))
    except ValueError:
        return DEFAULT_PER_PAGE


def _sort_value(row: Model, field_name: str) -> Any:
    value: Any = row
    for part in field_name.split("__"):
        value = getattr(value, part)
    return value


def keyset_listing(
    request: HttpRequest,
    queryset: QuerySet[M],
    *,
    sorts: dict[str, str],
    default_sort: str,
    ascending_first: Iterable[str] = (),
) -> Listing:
    """A page of ``queryset`` in one query, whichever page: ``cursor`` pages forward from a row,
    ``before`` pages back from one (read in reverse, then turned round).

    Raises AccordError for a bad sort or cursor; callers show it like a bad filter.
    """
    sort_key = request.GET.get("sort") or default_sort
    sort = resolve_sort(sort_key, sorts, default_sort)
    limit = per_page(request)
    cursor = request.GET.get("cursor") or None
    before = request.GET.get("before") or None
    descending, field_name = sort.startswith("-"), sort.lstrip("-")
    more_before = False
    if before:
        value, pk = decode_cursor(before)
        op, direction = ("gt", "") if descending else ("lt", "-")
        rows = list(
            queryset.order_by(f"{direction}{field_name}", f"{direction}pk").filter(
                Q(**{f"{field_name}__{op}": value}) | Q(**{field_name: value, f"pk__{op}": pk})
            )[: limit + 1]
        )
        more_before = len(rows) > limit
        items = rows[:limit][::-1]
        next_cursor = None
        if items:
            last = items[-1]
            next_cursor = encode_cursor([_sort_value(last, field_name), last.pk])
    else:
        page = paginate(queryset, sort=sort, cursor=cursor, limit=limit)
        items, next_cursor = page.items, page.next_cursor
        more_before = bool(cursor)
    defaults = {"sort": default_sort, "per_page": str(DEFAULT_PER_PAGE)}

    def url(**changes: str | None) -> str:
        return _url(request, clean_params(request, defaults, **changes))

    listing = Listing(items=items, sort=sort_key, per_page=limit, defaults=defaults)
    if next_cursor:
        listing.next_url = url(cursor=next_cursor, before=None)
    if more_before and items:
        first = items[0]
        back = encode_cursor([_sort_value(first, field_name), first.pk])
        listing.prev_url = url(before=back, cursor=None)
        listing.first_url = url(before=None, cursor=None)
    listing.filtered = any(k not in PAGING_KEYS for k in clean_params(request, defaults))
    ascending = set(ascending_first)
    current = sort_key
    for key in sorts:
        active = current.lstrip("-") == key
        is_desc = current.startswith("-")
        if active:
            target = key if is_desc else f"-{key}"
        else:
            target = key if key in ascending else f"-{key}"
        listing.headers[key] = SortHeader(
            url=url(sort=target, cursor=None, before=None),
            active=active,
            descending=active and is_desc,
        )
    return listing


# The names the filter bar gives to query-string keys, for messages about a bad filter.
FILTER_LABELS = {
    "score_min": "Score at least",
    "created_after": "Created from",
    "created_before": "Created before",
    "pipeline_stage": "Pipeline stage",
    "owner": "Owner",
    "account": "Account",
}


def failed_listing(request: HttpRequest, exc: AccordError) -> Listing:
    message = exc.message
    for key, label in FILTER_LABELS.items():
        if message.startswith((f"{key} ", f"{key}:")):
            message = f"“{label}”" + message[len(key) :]
    listing = Listing(error=message, error_fields=exc.fields, sort=request.GET.get("sort", ""))
    listing.filtered = True
    listing.first_url = request.path
    return listing


def wants_fragment(request: HttpRequest) -> bool:
    """Whether htmx asks for a list's results only (a history restore needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.boosted and not htmx.history_restore_request


def list_response(
    request: HttpRequest, *, page: str, results: str, context: dict[str, Any]
) -> HttpResponse:
    """The whole list page, or only its results for htmx (pushing the tidy URL to history)."""
    if wants_fragment(request):
        response = render(request, results, context)
        listing = context.get("listing")
        defaults = listing.defaults if isinstance(listing, Listing) else {}
        push_url(response, _url(request, clean_params(request, defaults)))
    else:
        response = render(request, page, context)
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


def _property_filters(definitions: list[PropertyDefinition], params: QueryDict) -> list[Any]:
    """The inputs of the custom-property filters: one per text/yes-no property, a range for
    numbers and dates (``prop.KEY__gte`` / ``__lte``)."""
    rows = []
    for d in definitions:
        name = f"prop.{d.key}"
        if d.type in (PropertyType.NUMBER, PropertyType.DATE):
            kind = "number" if d.type == PropertyType.NUMBER else "date"
            inputs = [
                {"name": f"{name}__gte", "kind": kind, "placeholder": "from"},
                {"name": f"{name}__lte", "kind": kind, "placeholder": "to"},
            ]
        elif d.type == PropertyType.BOOLEAN:
            inputs = [{"name": name, "kind": "boolean"}]
        else:
            inputs = [{"name": name, "kind": "text", "placeholder": "is exactly"}]
        for item in inputs:
            item["value"] = params.get(item["name"], "")
        rows.append({"definition": d, "inputs": inputs})
    return rows


def _list_context(
    request: HttpRequest,
    entity: str,
    build: Callable[[], Listing],
) -> dict[str, Any]:
    definitions = list(PropertyDefinition.objects.filter(entity=entity))
    try:
        listing = build()
    except AccordError as exc:
        listing = failed_listing(request, exc)
    account = _find(Account.objects.all(), request.GET.get("account"))
    return {
        "listing": listing,
        "params": request.GET,
        # Lists opened from an account's page say so, with a way out.
        "account_filter": account,
        "account_clear_url": _url(request, clean_params(request, account=None)),
        "property_filters": _property_filters(definitions, request.GET),
        "properties_active": any(k.startswith("prop.") and v for k, v in request.GET.items()),
        "per_page_choices": (25, 50, 100),
    }


@login_required
def lead_list(request: HttpRequest) -> HttpResponse:
    def build() -> Listing:
        lead_filter = LeadFilter.from_params(request.GET)
        leads = lead_filter.apply(
            Lead.objects.visible_to(request.user)
            .for_list()
            .select_related("persona_match__persona")
        )
        return keyset_listing(
            request,
            leads,
            sorts=LEAD_SORTS,
            default_sort="-created",
            ascending_first=("last_name",),
        )

    context = _list_context(request, Entity.LEAD, build)
    persona = _find(Persona.objects.all(), request.GET.get("persona"))
    context.update(
        # Lists opened from a persona's page say so, with a way out.
        persona_filter=persona,
        persona_clear_url=_url(request, clean_params(request, persona=None)),
        stages=Stage.choices,
        chosen_stages=request.GET.getlist("stage"),
        segments=Segment.choices,
        owners=[] if wants_fragment(request) else list(people()),
    )
    return list_response(
        request, page="funnel/lead_list.html", results="funnel/_lead_results.html", context=context
    )


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    def build() -> Listing:
        account_filter = AccountFilter.from_params(request.GET)
        accounts = account_filter.apply(Account.objects.select_related("owner"))
        return keyset_listing(
            request, accounts, sorts=ACCOUNT_SORTS, default_sort="name", ascending_first=("name",)
        )

    context = _list_context(request, Entity.ACCOUNT, build)
    context["segments"] = Segment.choices
    return list_response(
        request,
        page="funnel/account_list.html",
        results="funnel/_account_results.html",
        context=context,
    )


@login_required
def deal_list(request: HttpRequest) -> HttpResponse:
    def build() -> Listing:
        deal_filter = DealFilter.from_params(request.GET)
        deals = deal_filter.apply(Deal.objects.visible_to(request.user).for_list())
        return keyset_listing(
            request, deals, sorts=DEAL_SORTS, default_sort="-created", ascending_first=("name",)
        )

    context = _list_context(request, Entity.DEAL, build)
    fragment = wants_fragment(request)
    context.update(
        statuses=DealStatus.choices,
        pipeline_stages=[] if fragment else list(PipelineStage.objects.all()),
        owners=[] if fragment else list(people()),
    )
    return list_response(
        request, page="funnel/deal_list.html", results="funnel/_deal_results.html", context=context
    )


# --- pickers -----------------------------------------------------------------------------------


@login_required
def account_options(request: HttpRequest) -> HttpResponse:
    """Options for an account picker, matching the search box."""
    q = request.GET.get("q", "").strip()
    accounts = Account.objects.order_by("name")
    if q:
        accounts = accounts.filter(Q(name__icontains=q) | Q(domain__icontains=q))
    options = [(a.pk, a.name) for a in accounts[:PICKER_SIZE]]
    return render(request, "funnel/_options.html", {"options": options, "q": q})


@login_required
def lead_options(request: HttpRequest) -> HttpResponse:
    """Options for a lead picker, matching the search box."""
    q = request.GET.get("q", "").strip()
    leads = Lead.objects.visible_to(request.user).order_by("-created_at", "-id")
    if q:
        leads = leads.search(q)
    found = leads.select_related("account")[:PICKER_SIZE]
    options = [(lead.pk, lead_label(lead)) for lead in found]
    return render(request, "funnel/_options.html", {"options": options, "q": q})


# --- record pages: shared pieces ---------------------------------------------------------------


def definitions_for(entity: str) -> list[PropertyDefinition]:
    return list(PropertyDefinition.objects.filter(entity=entity))


def shown_properties(
    definitions: list[PropertyDefinition], values: dict[str, Any]
) -> list[tuple[str, str, Any]]:
    """(label, type, value) of a record's custom properties: declared ones first, then any
    value stored under a key no longer declared."""
    rows: list[tuple[str, str, Any]] = []
    for d in definitions:
        if values.get(d.key) is not None:
            rows.append((d.label, d.type, values[d.key]))
    declared = {d.key for d in definitions}
    rows += [(key, "text", value) for key, value in sorted(values.items()) if key not in declared]
    return rows


def changed(instance: Model, values: dict[str, Any]) -> dict[str, Any]:
    """Only the fields a form changed, so updates leave the rest (and their side effects) be."""
    diff: dict[str, Any] = {}
    for name, value in values.items():
        current = getattr(instance, name)
        if (current in (None, "") and value in (None, "")) or current == value:
            continue
        diff[name] = value
    return diff


def _nonempty(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "")}


def _submitted(form: RecordForm, write: Callable[[], Model]) -> Model | None:
    """Run a service with a valid form; on AccordError, put its messages on the form."""
    if not form.is_valid():
        return None
    try:
        return write()
    except AccordError as exc:
        form.add_service_error(exc)
        return None


# --- leads -------------------------------------------------------------------------------------


def _lead(request: HttpRequest, pk: int) -> Lead:
    return get_object_or_404(
        Lead.objects.visible_to(request.user).select_related("account", "owner"), pk=pk
    )


def _lead_page(
    request: HttpRequest,
    lead: Lead,
    *,
    move_form: MoveForm | None = None,
    note_form: NoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "lead": lead,
        "timeline": lead_timeline(lead),
        "timeline_colours": TIMELINE_COLOURS,
        "move_form": move_form or MoveForm(lead=lead),
        "note_form": note_form or NoteForm(),
        "deals": list(lead.deals.select_related("pipeline_stage", "owner").order_by("-created_at")),
        "history": list(lead.stage_changes.select_related("actor").order_by("-at", "-id")),
        "properties": shown_properties(definitions_for(Entity.LEAD), lead.properties),
        "scores": [
            ("Score", lead.score, 100),
            ("Fit", lead.fit_score, 100),
            ("Engagement", lead.engagement_score, 100),
        ],
        "persona": lead_persona(lead),
        "score_card": lead_score(lead),
    }
    return render(request, "funnel/lead_detail.html", context, status=status)


@login_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _lead_page(request, _lead(request, pk))


@login_required
def lead_move(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    if request.method != "POST":
        return redirect("lead_detail", pk=lead.pk)
    form = MoveForm(request.POST, lead=lead)
    if form.is_valid():
        try:
            services.lead_move(
                lead=lead,
                to_stage=form.cleaned_data["to_stage"],
                by=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
            )
        except AccordError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{lead.name} is now {lead.get_stage_display()}.")
            return redirect("lead_detail", pk=lead.pk)
    return _lead_page(request, lead, move_form=form, status=400)


@login_required
def lead_note(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    if request.method != "POST":
        return redirect("lead_detail", pk=lead.pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(lead=lead, by=request.user, body=form.cleaned_data["body"])  # type: ignore[arg-type]
        except AccordError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Note added.")
            return redirect(reverse("lead_detail", args=[lead.pk]) + "#timeline")
    return _lead_page(request, lead, note_form=form, status=400)


@login_required
def lead_create(request: HttpRequest) -> HttpResponse:
    definitions = definitions_for(Entity.LEAD)
    if request.method == "POST":
        form = LeadForm(request.POST, definitions=definitions)

        def write() -> Lead:
            return services.lead_create(
                by=request.user,  # type: ignore[arg-type]
                properties=_nonempty(form.cleaned_properties()),
                **form.cleaned_fields(),
            )

        lead = _submitted(form, write)
        if lead is not None:
            messages.success(request, f"Lead {lead} created.")
            return redirect("lead_detail", pk=lead.pk)
        status = 400
    else:
        initial: dict[str, Any] = {"owner": request.user.pk}
        account = _find(Account.objects.all(), request.GET.get("account"))
        if account:
            initial["account"] = account.pk
        form = LeadForm(initial=initial, definitions=definitions, chosen_account=account)
        status = 200
    context = {"form": form, "title": "New lead", "cancel": reverse("leads")}
    return render(request, "funnel/record_form.html", context, status=status)


@login_required
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    definitions = definitions_for(Entity.LEAD)
    if request.method == "POST":
        form = LeadForm(request.POST, lead=lead, definitions=definitions)

        def write() -> Lead:
            return services.lead_update(
                lead=lead,
                by=request.user,  # type: ignore[arg-type]
                properties=form.cleaned_properties(),
                **changed(lead, form.cleaned_fields()),
            )

        if _submitted(form, write) is not None:
            messages.success(request, "Lead saved.")
            return redirect("lead_detail", pk=lead.pk)
        status = 400
    else:
        initial = {
            name: getattr(lead, name)
            for name in services.LEAD_FIELDS
            if name not in ("account", "owner")
        }
        initial.update(account=lead.account_id, owner=lead.owner_id)
        form = LeadForm(
            initial=initial, lead=lead, definitions=definitions, properties=lead.properties
        )
        status = 200
    context = {
        "form": form,
        "title": f"Edit {lead.name}",
        "pretitle": "Lead",
        "cancel": reverse("lead_detail", args=[lead.pk]),
    }
    return render(request, "funnel/record_form.html", context, status=status)


def _int(raw: Any) -> int | None:
    return int(raw) if raw and str(raw).isdigit() else None


def _find(queryset: QuerySet[M], raw: Any) -> M | None:
    """The record whose id is in a query parameter, or None for a missing or bad id."""
    pk = _int(raw)
    return None if pk is None else queryset.filter(pk=pk).first()


# --- accounts ----------------------------------------------------------------------------------


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("owner"), pk=pk)
    leads = list(
        Lead.objects.visible_to(request.user)
        .filter(account=account)
        .select_related("owner")
        .order_by("-created_at", "-id")[:50]
    )
    deals = list(
        Deal.objects.visible_to(request.user)
        .filter(account=account)
        .select_related("pipeline_stage", "owner", "primary_lead")
        .order_by("-created_at", "-id")[:50]
    )
    context = {
        "account": account,
        "leads": leads,
        "deals": deals,
        "properties": shown_properties(definitions_for(Entity.ACCOUNT), account.properties),
    }
    return render(request, "funnel/account_detail.html", context)


@login_required
def account_create(request: HttpRequest) -> HttpResponse:
    definitions = definitions_for(Entity.ACCOUNT)
    status = 200
    if request.method == "POST":
        form = AccountForm(request.POST, definitions=definitions)

        def write() -> Account:
            fields = form.cleaned_fields()
            return services.account_create(
                by=request.user,  # type: ignore[arg-type]
                properties=_nonempty(form.cleaned_properties()),
                **fields,
            )

        account = _submitted(form, write)
        if account is not None:
            messages.success(request, f"Account {account} created.")
            return redirect("account_detail", pk=account.pk)
        status = 400
    else:
        form = AccountForm(initial={"owner": request.user.pk}, definitions=definitions)
    context = {"form": form, "title": "New account", "cancel": reverse("accounts")}
    return render(request, "funnel/record_form.html", context, status=status)


@login_required
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    definitions = definitions_for(Entity.ACCOUNT)
    status = 200
    if request.method == "POST":
        form = AccountForm(request.POST, definitions=definitions)

        def write() -> Account:
            return services.account_update(
                account=account,
                by=request.user,  # type: ignore[arg-type]
                properties=form.cleaned_properties(),
                **changed(account, form.cleaned_fields()),
            )

        if _submitted(form, write) is not None:
            messages.success(request, "Account saved.")
            return redirect("account_detail", pk=account.pk)
        status = 400
    else:
        initial = {
            name: getattr(account, name) for name in services.ACCOUNT_FIELDS if name != "owner"
        }
        initial["owner"] = account.owner_id
        form = AccountForm(initial=initial, definitions=definitions, properties=account.properties)
    context = {
        "form": form,
        "title": f"Edit {account.name}",
        "pretitle": "Account",
        "cancel": reverse("account_detail", args=[account.pk]),
    }
    return render(request, "funnel/record_form.html", context, status=status)


# --- deals -------------------------------------------------------------------------------------


def _deal(request: HttpRequest, pk: int) -> Deal:
    return get_object_or_404(Deal.objects.visible_to(request.user).for_list(), pk=pk)


def _deal_page(
    request: HttpRequest,
    deal: Deal,
    *,
    lose_form: LoseForm | None = None,
    stage_form: DealStageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "deal": deal,
        "leads": list(deal.leads.select_related("account").order_by("-created_at", "-id")[:50]),
        "lose_form": lose_form or LoseForm(),
        "stage_form": stage_form
        or DealStageForm(initial={"pipeline_stage": deal.pipeline_stage_id}),
        "properties": shown_properties(definitions_for(Entity.DEAL), deal.properties),
        "weighted": deal.amount * deal.pipeline_stage.probability / 100
        if deal.pipeline_stage and deal.status == DealStatus.OPEN
        else None,
    }
    return render(request, "funnel/deal_detail.html", context, status=status)


@login_required
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _deal_page(request, _deal(request, pk))


@login_required
def deal_create(request: HttpRequest) -> HttpResponse:
    definitions = definitions_for(Entity.DEAL)
    lead = _find(Lead.objects.select_related("account"), request.GET.get("lead"))
    account = _find(Account.objects.all(), request.GET.get("account"))
    if lead and not account:
        account = lead.account
    status = 200
    if request.method == "POST":
        form = DealForm(request.POST, definitions=definitions, deal_account=account, deal_lead=lead)

        def write() -> Deal:
            return services.deal_create(
                by=request.user,  # type: ignore[arg-type]
                properties=_nonempty(form.cleaned_properties()),
                **form.cleaned_fields(),
            )

        deal = _submitted(form, write)
        if deal is not None:
            messages.success(request, f"Deal {deal} opened.")
            return redirect("deal_detail", pk=deal.pk)
        status = 400
    else:
        initial: dict[str, Any] = {"owner": request.user.pk}
        if lead:
            initial["primary_lead"] = lead.pk
            initial["name"] = f"{lead.account.name if lead.account else lead.name}: new deal"
        if account:
            initial["account"] = account.pk
        form = DealForm(
            initial=initial, definitions=definitions, deal_account=account, deal_lead=lead
        )
    cancel = reverse("lead_detail", args=[lead.pk]) if lead else reverse("deals")
    context = {
        "form": form,
        "title": "New deal",
        "pretitle": f"For {lead.name}" if lead else "",
        "cancel": cancel,
    }
    return render(request, "funnel/record_form.html", context, status=status)


@login_required
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _deal(request, pk)
    definitions = definitions_for(Entity.DEAL)
    status = 200
    if request.method == "POST":
        form = DealForm(request.POST, definitions=definitions)

        def write() -> Deal:
            return services.deal_update(
                deal=deal,
                by=request.user,  # type: ignore[arg-type]
                properties=form.cleaned_properties(),
                **changed(deal, form.cleaned_fields()),
            )

        if _submitted(form, write) is not None:
            messages.success(request, "Deal saved.")
            return redirect("deal_detail", pk=deal.pk)
        status = 400
    else:
        initial = {
            "name": deal.name,
            "amount": deal.amount,
            "pipeline_stage": deal.pipeline_stage_id,
            "account": deal.account_id,
            "primary_lead": deal.primary_lead_id,
            "owner": deal.owner_id,
            "external_id": deal.external_id,
        }
        form = DealForm(
            initial=initial,
            definitions=definitions,
            properties=deal.properties,
            deal_account=deal.account,
            deal_lead=deal.primary_lead,
        )
    context = {
        "form": form,
        "title": f"Edit {deal.name}",
        "pretitle": "Deal",
        "cancel": reverse("deal_detail", args=[deal.pk]),
    }
    return render(request, "funnel/record_form.html", context, status=status)


def _deal_action(request: HttpRequest, pk: int, act: Callable[[Deal], str]) -> HttpResponseBase:
    deal = _deal(request, pk)
    if request.method == "POST":
        try:
            messages.success(request, act(deal))
        except AccordError as exc:
            messages.error(request, exc.message[:1].upper() + exc.message[1:] + ".")
    return redirect("deal_detail", pk=deal.pk)


@login_required
def deal_win(request: HttpRequest, pk: int) -> HttpResponseBase:
    def act(deal: Deal) -> str:
        services.deal_win(deal=deal, by=request.user)  # type: ignore[arg-type]
        lead = deal.primary_lead
        return f"Deal won. {lead.name} is a customer." if lead else "Deal won."

    return _deal_action(request, pk, act)


@login_required
def deal_reopen(request: HttpRequest, pk: int) -> HttpResponseBase:
    def act(deal: Deal) -> str:
        services.deal_reopen(deal=deal, by=request.user)  # type: ignore[arg-type]
        return "Deal reopened."

    return _deal_action(request, pk, act)


@login_required
def deal_lose(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _deal(request, pk)
    if request.method != "POST":
        return redirect("deal_detail", pk=deal.pk)
    form = LoseForm(request.POST)
    if form.is_valid():
        try:
            services.deal_lose(
                deal=deal,
                by=request.user,  # type: ignore[arg-type]
                loss_reason=form.cleaned_data["loss_reason"],
            )
        except AccordError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Deal marked lost.")
            return redirect("deal_detail", pk=deal.pk)
    return _deal_page(request, deal, lose_form=form, status=400)


@login_required
def deal_stage(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _deal(request, pk)
    if request.method != "POST":
        return redirect("deal_detail", pk=deal.pk)
    form = DealStageForm(request.POST)
    if form.is_valid():
        try:
            services.deal_update(
                deal=deal,
                by=request.user,  # type: ignore[arg-type]
                pipeline_stage=form.cleaned_data["pipeline_stage"],
            )
        except AccordError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"Deal moved to {deal.pipeline_stage}.")
            return redirect("deal_detail", pk=deal.pk)
    return _deal_page(request, deal, stage_form=form, status=400)


# --- settings: custom properties and the pipeline ----------------------------------------------


@login_required
def property_list(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = PropertyForm(request.POST)
        if form.is_valid():
            try:
                definition = services.property_define(
                    by=request.user,  # type: ignore[arg-type]
                    **form.cleaned_data,
                )
            except AccordError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    f"{definition.get_entity_display()} property “{definition.label}” "
                    f"declared as {definition.key}.",
                )
                return redirect("settings_properties")
        status = 400
    else:
        form = PropertyForm(initial={"entity": request.GET.get("entity") or Entity.LEAD})
    definitions = list(PropertyDefinition.objects.order_by("entity", "label"))
    groups = [
        (value, label, [d for d in definitions if d.entity == value])
        for value, label in Entity.choices
    ]
    context = {"form": form, "groups": groups, "settings_section": "properties"}
    return render(request, "funnel/settings_properties.html", context, status=status)


@login_required
def pipeline_settings(request: HttpRequest) -> HttpResponse:
    status = 200
    new_form = PipelineStageForm(prefix="new")
    failed: tuple[int, PipelineStageForm] | None = None
    if request.method == "POST":
        target = _int(request.POST.get("stage"))
        stage = get_object_or_404(PipelineStage, pk=target) if target else None
        form = PipelineStageForm(request.POST, prefix=f"s{stage.pk}" if stage else "new")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if stage is None:
                    services.pipeline_stage_create(
                        by=request.user,  # type: ignore[arg-type]
                        name=data["name"],
                        probability=data["probability"],
                        position=data["position"],
                    )
                    messages.success(request, f"Stage “{data['name']}” added.")
                else:
                    services.pipeline_stage_update(
                        stage=stage,
                        by=request.user,  # type: ignore[arg-type]
                        name=data["name"],
                        probability=data["probability"],
                        position=data["position"],
                    )
                    messages.success(request, f"Stage “{stage.name}” saved.")
            except NotAllowed as exc:
                return refused(request, exc.message)
            except AccordError as exc:
                form.add_service_error(exc)
            else:
                return redirect("settings_pipeline")
        status = 400
        if stage is None:
            new_form = form
        else:
            failed = (stage.pk, form)
    stages = list(
        PipelineStage.objects.annotate(
            open_deals=Count("deals", filter=Q(deals__status=DealStatus.OPEN))
        ).order_by("position", "id")
    )
    rows = []
    for stage in stages:
        if failed and failed[0] == stage.pk:
            form = failed[1]
        else:
            form = PipelineStageForm(
                prefix=f"s{stage.pk}",
                initial={
                    "name": stage.name,
                    "probability": stage.probability,
                    "position": stage.position,
                },
            )
        rows.append((stage, form))
    context = {"rows": rows, "new_form": new_form, "settings_section": "pipeline"}
    return render(request, "funnel/settings_pipeline.html", context, status=status)
