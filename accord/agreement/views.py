"""Pages of the agreement: the version in force, its print view and PDF, the versions, the
proposals and their sign-off, the personas and the scoring models.

Every write calls a service (``accord.agreement.services`` for personas and rules,
``accord.agreement.signoff`` for the document); a service's AccordError is shown next to the
fields, or as a message for a button. Pages read the document through
``accord.agreement.selectors.agreement_document``, the one source of its sections.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst

from accord.agreement import services, signoff
from accord.agreement.definitions import definition_describe
from accord.agreement.forms import (
    CommentForm,
    EngagementRuleForm,
    FitRuleForm,
    PersonaForm,
    ProposalCreateForm,
    ProposalForm,
    criteria_lines,
)
from accord.agreement.models import (
    Agreement,
    AgreementStatus,
    ModelStatus,
    Persona,
    ReviewReminder,
    ScoringModel,
    Signature,
)
from accord.agreement.pdf import agreement_pdf_bytes
from accord.agreement.selectors import (
    agreement_diff,
    agreement_document,
    agreement_in_force,
    agreement_versions,
    audit_for,
    proposals_open,
)
from accord.campaigns.models import Channel, TouchKind
from accord.errors import AccordError, NotAllowed
from accord.funnel.models import Lead, Stage
from accord.funnel.views import wants_fragment
from accord.scoring.backtest import BacktestResult, Outcome, backtest_compare, segment_label
from accord.scoring.selectors import weight_suggestions
from accord.teams.models import Team, User
from accord.teams.views import refused

# The ordered funnel after "lead": a lead reached a stage when it entered it or a later one.
ORDERED = [Stage.MQL, Stage.SAL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER]
CONVERSION_STAGES = (Stage.MQL, Stage.SQL, Stage.CUSTOMER)
PERSONA_LEADS_SHOWN = 50


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _fault(exc: AccordError) -> str:
    return capfirst(exc.message.rstrip(".")) + "."


# --- personas ----------------------------------------------------------------------------------


def _reached(stage: str, prefix: str = "matches__lead__") -> Q:
    later = ORDERED[ORDERED.index(Stage(stage)) :]
    return Q(**{f"{prefix}stage_changes__to_stage__in": later})


def personas_with_conversion() -> QuerySet[Persona]:
    """Personas with their number of leads and how many of those reached MQL, SQL and
    customer (entered the stage or a later one), in one query."""
    counts = {
        f"reached_{stage}": Count("matches__lead", filter=_reached(stage), distinct=True)
        for stage in CONVERSION_STAGES
    }
    return Persona.objects.annotate(lead_count=Count("matches", distinct=True), **counts)


@dataclass(frozen=True)
class Conversion:
    stage: str
    label: str
    reached: int
    rate: float | None


def conversions(persona: Any) -> list[Conversion]:
    total = persona.lead_count
    return [
        Conversion(
            stage=stage,
            label=Stage(stage).label,
            reached=getattr(persona, f"reached_{stage}"),
            rate=(getattr(persona, f"reached_{stage}") / total) if total else None,
        )
        for stage in CONVERSION_STAGES
    ]


@login_required
def persona_list(request: HttpRequest) -> HttpResponse:
    personas = list(personas_with_conversion())
    rows = [(p, conversions(p), criteria_lines(p.criteria).splitlines()) for p in personas]
    return render(request, "agreement/persona_list.html", {"rows": rows})


@login_required
def persona_detail(request: HttpRequest, pk: int) -> HttpResponse:
    persona = get_object_or_404(personas_with_conversion(), pk=pk)
    leads = list(
        Lead.objects.visible_to(request.user)
        .filter(persona_match__persona=persona)
        .select_related("account", "owner")
        .order_by("-score", "-id")[:PERSONA_LEADS_SHOWN]
    )
    context = {
        "persona": persona,
        "conversions": conversions(persona),
        "criteria": criteria_lines(persona.criteria).splitlines(),
        "leads": leads,
        "shown": PERSONA_LEADS_SHOWN,
        "texts": [
            ("Pains", persona.pains),
            ("Goals", persona.goals),
            ("Objections", persona.objections),
            ("Messaging", persona.messaging),
        ],
    }
    return render(request, "agreement/persona_detail.html", context)


def _persona_form_page(
    request: HttpRequest, form: PersonaForm, *, title: str, cancel: str, status: int
) -> HttpResponse:
    context = {"form": form, "title": title, "pretitle": "Persona", "cancel": cancel}
    return render(request, "agreement/persona_form.html", context, status=status)


def _persona_fields(form: PersonaForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


@login_required
def persona_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PersonaForm(request.POST)
        if form.is_valid():
            try:
                persona = services.persona_create(by=_me(request), **_persona_fields(form))
            except AccordError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, f"Persona “{persona.name}” created.")
                return redirect("persona_detail", pk=persona.pk)
        return _persona_form_page(
            request, form, title="New persona", cancel=reverse("personas"), status=400
        )
    return _persona_form_page(
        request, PersonaForm(), title="New persona", cancel=reverse("personas"), status=200
    )


@login_required
def persona_edit(request: HttpRequest, pk: int) -> HttpResponse:
    persona = get_object_or_404(Persona, pk=pk)
    cancel = reverse("persona_detail", args=[persona.pk])
    title = f"Edit {persona.name}"
    if request.method == "POST":
        form = PersonaForm(request.POST)
        if form.is_valid():
            try:
                services.persona_update(persona=persona, by=_me(request), **_persona_fields(form))
            except AccordError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "Persona saved.")
                return redirect("persona_detail", pk=persona.pk)
        return _persona_form_page(request, form, title=title, cancel=cancel, status=400)
    form = PersonaForm()
    form.initial_from(persona)
    return _persona_form_page(request, form, title=title, cancel=cancel, status=200)


# --- scoring models ----------------------------------------------------------------------------


def _scoring_model(version: int) -> ScoringModel:
    return get_object_or_404(ScoringModel, version=version)


@login_required
def scoring_model_list(request: HttpRequest) -> HttpResponse:
    models = list(
        ScoringModel.objects.select_related("created_by").annotate(
            fit_count=Count("fit_rules", distinct=True),
            engagement_count=Count("engagement_rules", distinct=True),
        )
    )
    in_force = next((m for m in models if m.status == ModelStatus.IN_FORCE), None)
    return render(
        request, "agreement/scoring_model_list.html", {"models": models, "in_force": in_force}
    )


@login_required
def scoring_model_in_force(request: HttpRequest) -> HttpResponseBase:
    model = ScoringModel.objects.filter(status=ModelStatus.IN_FORCE).first()
    if model is None:
        return redirect("scoring_models")
    return redirect("scoring_model_detail", version=model.version)


def _scoring_model_page(
    request: HttpRequest,
    model: ScoringModel,
    *,
    fit_form: FitRuleForm | None = None,
    engagement_form: EngagementRuleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    fit_rules = list(model.fit_rules.all())
    engagement_rules = list(model.engagement_rules.all())
    context = {
        "model": model,
        "fit_rules": [(rule, criteria_lines(rule.criteria).splitlines()) for rule in fit_rules],
        "engagement_rules": engagement_rules,
        "editable": model.status == ModelStatus.DRAFT and signoff.can_propose(_me(request)),
        "kind_labels": dict(TouchKind.choices),
        "channel_labels": dict(Channel.choices),
        "fit_form": fit_form or FitRuleForm(prefix="fit"),
        "engagement_form": engagement_form or EngagementRuleForm(prefix="engagement"),
        "agreements": list(model.agreements.order_by("-version")),
        # What the predictive model learnt, offered where the next rules are written.
        "suggestions": weight_suggestions() if model.status == ModelStatus.DRAFT else None,
    }
    return render(request, "agreement/scoring_model_detail.html", context, status=status)


@login_required
def scoring_model_detail(request: HttpRequest, version: int) -> HttpResponse:
    return _scoring_model_page(request, _scoring_model(version))


def _rule_added(
    request: HttpRequest,
    model: ScoringModel,
    form: FitRuleForm | EngagementRuleForm,
    write: Callable[[], Any],
    anchor: str,
) -> HttpResponseBase | None:
    if not form.is_valid():
        return None
    try:
        rule = write()
    except NotAllowed as exc:
        return refused(request, exc.message)
    except AccordError as exc:
        form.add_service_error(exc)
        return None
    messages.success(request, f"Rule “{rule.label}” added to scoring model v{model.version}.")
    return redirect(reverse("scoring_model_detail", args=[model.version]) + anchor)


@login_required
def fit_rule_add(request: HttpRequest, version: int) -> HttpResponseBase:
    model = _scoring_model(version)
    if request.method != "POST":
        return redirect("scoring_model_detail", version=model.version)
    form = FitRuleForm(request.POST, prefix="fit")

    def write() -> Any:
        return signoff.fit_rule_add(model=model, by=_me(request), **form.cleaned_data)

    done = _rule_added(request, model, form, write, "#fit-rules")
    return done or _scoring_model_page(request, model, fit_form=form, status=400)


@login_required
def engagement_rule_add(request: HttpRequest, version: int) -> HttpResponseBase:
    model = _scoring_model(version)
    if request.method != "POST":
        return redirect("scoring_model_detail", version=model.version)
    form = EngagementRuleForm(request.POST, prefix="engagement")

    def write() -> Any:
        return signoff.engagement_rule_add(model=model, by=_me(request), **form.service_fields())

    done = _rule_added(request, model, form, write, "#engagement-rules")
    return done or _scoring_model_page(request, model, engagement_form=form, status=400)


# --- the agreement -----------------------------------------------------------------------------

BACKTEST_MONTHS = 12
MONTH_CHOICES = (6, 12, 24)


def _agreement(version: int) -> Agreement:
    return get_object_or_404(
        Agreement.objects.select_related("scoring_model", "based_on", "proposed_by"),
        version=version,
    )


@dataclass(frozen=True)
class SignatureSlot:
    """One team's place to sign: signed (by whom, when) or still awaited."""

    team: str
    label: str
    signature: Signature | None


def signature_slots(agreement: Agreement) -> list[SignatureSlot]:
    signed = {s.team: s for s in agreement.signatures.select_related("signed_by")}
    return [
        SignatureSlot(team=team, label=Team(team).label, signature=signed.get(team))
        for team in signoff.SIGNING_TEAMS
    ]


def _document_context(request: HttpRequest, agreement: Agreement) -> dict[str, Any]:
    return {
        "agreement": agreement,
        "sections": agreement_document(agreement),
        "slots": signature_slots(agreement),
        "in_force": agreement_in_force(),
    }


@login_required
def agreement_current(request: HttpRequest) -> HttpResponse:
    agreement = agreement_in_force()
    if agreement is None:
        context = {"proposals": list(proposals_open()), "tab": "agreement"}
        return render(request, "agreement/agreement_none.html", context)
    return _agreement_page(request, agreement, tab="agreement")


def _agreement_page(request: HttpRequest, agreement: Agreement, *, tab: str) -> HttpResponse:
    context = _document_context(request, agreement)
    context.update(
        tab=tab,
        audit=list(audit_for(agreement)[:AUDIT_SHOWN]),
        comments=list(agreement.comments.select_related("author")),
        describe={
            "mql": definition_describe(agreement.mql_definition),
            "sql": definition_describe(agreement.sql_definition),
        },
        reminder=ReviewReminder.objects.filter(
            agreement=agreement, dismissed_at__isnull=True
        ).first(),
    )
    return render(request, "agreement/agreement_detail.html", context)


AUDIT_SHOWN = 50


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    versions = list(agreement_versions())
    return render(
        request, "agreement/agreement_list.html", {"versions": versions, "tab": "versions"}
    )


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    proposals = list(proposals_open())
    user = _me(request)
    context = {
        "proposals": proposals,
        "tab": "proposals",
        "can_propose": signoff.can_propose(user),
    }
    return render(request, "agreement/proposal_list.html", context)


@login_required
def proposal_create(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    if not signoff.can_propose(user):
        return refused(request, "only people on the marketing or sales team draft proposals")
    status = 200
    if request.method == "POST":
        form = ProposalCreateForm(request.POST)
        if form.is_valid():
            try:
                proposal = signoff.agreement_propose(by=user, **form.cleaned_data)
            except NotAllowed as exc:
                return refused(request, exc.message)
            except AccordError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    f"Proposal v{proposal.version} drafted. Change its terms, then ask both heads "
                    "to sign.",
                )
                return redirect("proposal_edit", version=proposal.version)
        status = 400
    else:
        form = ProposalCreateForm()
    context = {"form": form, "in_force": agreement_in_force(), "tab": "proposals"}
    return render(request, "agreement/proposal_create.html", context, status=status)


def _proposal_page(
    request: HttpRequest,
    agreement: Agreement,
    *,
    comment_form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _me(request)
    context = _document_context(request, agreement)
    against = agreement.based_on if context["in_force"] is None else context["in_force"]
    slots = context["slots"]
    signed_teams = {slot.team for slot in slots if slot.signature}
    in_force = context["in_force"]
    # A proposal drafted from a version no longer in force cannot be signed any more.
    stale = bool(agreement.based_on_id and in_force and in_force.pk != agreement.based_on_id)
    context.update(
        tab="proposals",
        against=against,
        changes=agreement_diff(agreement, against) if against else [],
        comments=list(agreement.comments.select_related("author")),
        comment_form=comment_form or CommentForm(),
        audit=list(audit_for(agreement)[:AUDIT_SHOWN]),
        can_edit=signoff.can_propose(user),
        can_sign=signoff.can_sign(user) and user.team not in signed_teams and not stale,
        can_withdraw=signoff.can_withdraw(user, agreement),
        stale=stale,
        months=_months(request),
        month_choices=MONTH_CHOICES,
        describe={
            "mql": definition_describe(agreement.mql_definition),
            "sql": definition_describe(agreement.sql_definition),
        },
    )
    return render(request, "agreement/proposal_detail.html", context, status=status)


@login_required
def agreement_detail(request: HttpRequest, version: int) -> HttpResponse:
    agreement = _agreement(version)
    if agreement.is_proposal:
        return _proposal_page(request, agreement)
    tab = "agreement" if agreement.status == AgreementStatus.IN_FORCE else "versions"
    return _agreement_page(request, agreement, tab=tab)


@login_required
def proposal_edit(request: HttpRequest, version: int) -> HttpResponse:
    agreement = _agreement(version)
    user = _me(request)
    if not agreement.is_proposal:
        messages.error(
            request,
            f"Agreement v{agreement.version} is {agreement.get_status_display().lower()}: only "
            "proposals take changes. Draft a new proposal from it instead.",
        )
        return redirect("agreement_detail", version=agreement.version)
    if not signoff.can_propose(user):
        return refused(request, "only people on the marketing or sales team edit proposals")
    status = 200
    if request.method == "POST":
        form = ProposalForm(request.POST, agreement=agreement)
        if form.is_valid():
            changes = form.changes()
            if not changes:
                messages.info(request, "Nothing changed.")
                return redirect("agreement_detail", version=agreement.version)
            try:
                signoff.agreement_update(agreement=agreement, by=user, **changes)
            except NotAllowed as exc:
                return refused(request, exc.message)
            except AccordError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, f"Proposal v{agreement.version} saved.")
                return redirect("agreement_detail", version=agreement.version)
        status = 400
    else:
        form = ProposalForm(agreement=agreement)
    context = {
        "form": form,
        "agreement": agreement,
        "tab": "proposals",
        "signed": agreement.signatures.exists(),
    }
    return render(request, "agreement/proposal_edit.html", context, status=status)


def _months(request: HttpRequest) -> int:
    raw = request.GET.get("months", "")
    return int(raw) if raw.isdigit() and int(raw) in MONTH_CHOICES else BACKTEST_MONTHS


@dataclass(frozen=True)
class BacktestRow:
    """One month (or segment) of the backtest: the proposal's would-be MQLs beside the
    version in force's, each as ``Outcome.as_dict`` (counts and rates)."""

    label: str
    partial: bool
    proposed: dict[str, Any]
    in_force: dict[str, Any] | None


def _side_by_side(proposed: BacktestResult, in_force: BacktestResult | None) -> dict[str, Any]:
    current_months = {m.month: m.total for m in in_force.months} if in_force else {}
    empty = Outcome(mqls=0, sal=0, sql=0, customer=0)

    def theirs(outcome: Outcome | None) -> dict[str, Any] | None:
        if in_force is None:
            return None
        return (outcome or empty).as_dict()

    months = [
        BacktestRow(
            label=m.month.strftime("%b %Y"),
            partial=m.partial,
            proposed=m.total.as_dict(),
            in_force=theirs(current_months.get(m.month)),
        )
        for m in proposed.months
    ]
    keys = sorted(set(proposed.segments) | set(in_force.segments if in_force else ()))
    segments = [
        BacktestRow(
            label=segment_label(key),
            partial=False,
            proposed=proposed.segments.get(key, empty).as_dict(),
            in_force=theirs(in_force.segments.get(key) if in_force else None),
        )
        for key in keys
    ]
    total = BacktestRow(
        label="All months",
        partial=False,
        proposed=proposed.total.as_dict(),
        in_force=theirs(in_force.total if in_force else None),
    )
    return {"months": months, "segments": segments, "total": total}


@login_required
def proposal_backtest(request: HttpRequest, version: int) -> HttpResponse:
    """The backtest of a version beside the version in force. The proposal page loads it after
    the page itself (it takes seconds on a large history); it also opens on its own."""
    agreement = _agreement(version)
    months = _months(request)
    error = ""
    table: dict[str, Any] = {}
    try:
        compared = backtest_compare(proposal=agreement, months=months)
    except AccordError as exc:
        error = _fault(exc)
    else:
        proposed, in_force = compared["proposed"], compared["in_force"]
        assert proposed is not None
        table = _side_by_side(proposed, in_force)
        table.update(proposed_result=proposed, in_force_result=in_force)
    context = {
        "agreement": agreement,
        "in_force": agreement_in_force(),
        "months": months,
        "month_choices": MONTH_CHOICES,
        "error": error,
        **table,
    }
    template = "agreement/_backtest.html" if wants_fragment(request) else "agreement/backtest.html"
    return render(request, template, context)


def _proposal_action(
    request: HttpRequest, version: int, act: Callable[[Agreement, User], str]
) -> HttpResponseBase:
    agreement = _agreement(version)
    if request.method == "POST":
        try:
            messages.success(request, act(agreement, _me(request)))
        except AccordError as exc:
            messages.error(request, _fault(exc))
    return redirect("agreement_detail", version=agreement.version)


@login_required
def proposal_sign(request: HttpRequest, version: int) -> HttpResponseBase:
    def act(agreement: Agreement, user: User) -> str:
        signed = signoff.agreement_sign(agreement=agreement, by=user)
        if signed.status == AgreementStatus.IN_FORCE:
            return (
                f"Signed. Agreement v{signed.version} is in force: leads are being matched, "
                "rescored and qualified under it."
            )
        return f"Signed for {Team(user.team).label.lower()}. It needs the other head's signature."

    return _proposal_action(request, version, act)


@login_required
def proposal_withdraw(request: HttpRequest, version: int) -> HttpResponseBase:
    def act(agreement: Agreement, user: User) -> str:
        signoff.agreement_withdraw(agreement=agreement, by=user)
        return f"Proposal v{agreement.version} withdrawn."

    return _proposal_action(request, version, act)


@login_required
def proposal_comment(request: HttpRequest, version: int) -> HttpResponseBase:
    agreement = _agreement(version)
    if request.method != "POST":
        return redirect("agreement_detail", version=agreement.version)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            signoff.comment_add(
                agreement=agreement, by=_me(request), body=form.cleaned_data["body"]
            )
        except AccordError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Comment added.")
            return redirect(reverse("agreement_detail", args=[agreement.version]) + "#comments")
    if agreement.is_proposal:
        return _proposal_page(request, agreement, comment_form=form, status=400)
    messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("agreement_detail", args=[agreement.version]) + "#comments")


# --- the printable document --------------------------------------------------------------------


@login_required
def agreement_print(request: HttpRequest, version: int) -> HttpResponse:
    agreement = _agreement(version)
    context = _document_context(request, agreement)
    return render(request, "agreement/agreement_print.html", context)


@login_required
def agreement_pdf(request: HttpRequest, version: int) -> HttpResponse:
    agreement = _agreement(version)
    data = agreement_pdf_bytes(
        agreement,
        sections=agreement_document(agreement),
        slots=signature_slots(agreement),
        organisation=settings.ACCORD_ORGANISATION,
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="agreement-v{agreement.version}.pdf"'
    return response
