"""The agreement's endpoints: the version in force, versions and proposals, signatures,
comments, the diff and the audit trail; personas; scoring models and their rules.

Versions and scoring models are addressed by their version number, personas by id. Every write
calls the one service that does it (``accord.agreement.signoff`` for the document,
``accord.agreement.services`` for personas), so the rules, the audit log and the signatures are
the same as on the pages.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status

from accord.agreement import services, signoff
from accord.agreement.models import (
    Agreement,
    AgreementStatus,
    Persona,
    ProposalComment,
    ScoringModel,
    Signature,
)
from accord.agreement.schemas import (
    AgreementCreateIn,
    AgreementListOut,
    AgreementListQuery,
    AgreementOut,
    AgreementUpdateIn,
    AuditListOut,
    AuditQuery,
    CommentIn,
    CommentListOut,
    CommentOut,
    DiffOut,
    DiffQuery,
    EngagementRuleIn,
    EngagementRuleOut,
    FitRuleIn,
    FitRuleOut,
    PersonaCreateIn,
    PersonaListOut,
    PersonaOut,
    PersonaUpdateIn,
    ScoringModelListOut,
    ScoringModelOut,
)
from accord.agreement.selectors import (
    agreement_diff,
    agreement_versions,
    audit_for,
)
from accord.errors import AccordError
from accord.teams.api import acting_user

router = Router(tags=["agreement"])


def _agreements() -> QuerySet[Agreement]:
    return agreement_versions().prefetch_related(
        Prefetch("signatures", queryset=Signature.objects.select_related("signed_by")),
        "personas",
    )


def _agreement(version: int) -> Agreement:
    agreement = _agreements().filter(version=version).first()
    if agreement is None:
        raise Http404(f"no agreement v{version}")
    return agreement


def _scoring_model(version: int) -> ScoringModel:
    model = ScoringModel.objects.filter(version=version).first()
    if model is None:
        raise Http404(f"no scoring model v{version}")
    return model


def _personas() -> QuerySet[Persona]:
    # An aggregate drops Meta.ordering, so the order is spelled out.
    return Persona.objects.annotate(lead_count=Count("matches")).order_by("priority", "name")


def _persona(persona_id: int) -> Persona:
    persona = _personas().filter(pk=persona_id).first()
    if persona is None:
        raise Http404(f"no persona with id {persona_id}")
    return persona


# --- the agreement -------------------------------------------------------------------------------


@router.get("/agreement", response=AgreementOut, summary="The agreement in force")
def get_agreement_in_force(request: HttpRequest) -> Agreement:
    agreement = _agreements().filter(status=AgreementStatus.IN_FORCE).first()
    if agreement is None:
        raise Http404("no agreement is in force yet: propose one under POST /agreements")
    return agreement


@router.get("/agreements", response=AgreementListOut, summary="Every version, newest first")
def list_agreements(request: HttpRequest, params: Query[AgreementListQuery]) -> dict[str, Any]:
    # Versions are few (a handful a year), so the list is not paged.
    qs = agreement_versions().prefetch_related(
        Prefetch("signatures", queryset=Signature.objects.select_related("signed_by"))
    )
    if params.status:
        qs = qs.filter(status=params.status)
    return {"items": list(qs)}


@router.get("/agreements/{version}", response=AgreementOut, summary="One version")
def get_agreement(request: HttpRequest, version: int) -> Agreement:
    return _agreement(version)


@router.post("/agreements", response={201: AgreementOut}, summary="Propose a new version")
def propose_agreement(request: HttpRequest, payload: AgreementCreateIn) -> Status[Agreement]:
    based_on = None
    if payload.based_on is not None:
        based_on = agreement_versions().filter(version=payload.based_on).first()
        if based_on is None:
            raise AccordError(
                f"no agreement v{payload.based_on}", fields={"based_on": ["no such version"]}
            )
    proposal = signoff.agreement_propose(
        by=acting_user(request), title=payload.title, summary=payload.summary, based_on=based_on
    )
    return Status(201, _agreement(proposal.version))


@router.patch("/agreements/{version}", response=AgreementOut, summary="Change a proposal")
def update_agreement(request: HttpRequest, version: int, payload: AgreementUpdateIn) -> Agreement:
    agreement = _agreement(version)
    fields = payload.model_dump(exclude_unset=True)
    signoff.agreement_update(agreement=agreement, by=acting_user(request), **fields)
    return _agreement(version)


@router.post(
    "/agreements/{version}/sign",
    response=AgreementOut,
    summary="Sign a proposal for your team (heads of marketing and sales)",
    description="The second team's signature puts the proposal in force and archives the "
    "version it replaces; leads are then matched, rescored and qualified in the background.",
)
def sign_agreement(request: HttpRequest, version: int) -> Agreement:
    signoff.agreement_sign(agreement=_agreement(version), by=acting_user(request))
    return _agreement(version)


@router.post("/agreements/{version}/withdraw", response=AgreementOut, summary="Withdraw a proposal")
def withdraw_agreement(request: HttpRequest, version: int) -> Agreement:
    signoff.agreement_withdraw(agreement=_agreement(version), by=acting_user(request))
    return _agreement(version)


@router.get("/agreements/{version}/comments", response=CommentListOut, summary="Comments")
def list_agreement_comments(request: HttpRequest, version: int) -> dict[str, Any]:
    agreement = _agreement(version)
    comments = ProposalComment.objects.filter(agreement=agreement).select_related("author")
    return {"items": list(comments)}


@router.post(
    "/agreements/{version}/comments", response={201: CommentOut}, summary="Comment on a version"
)
def add_agreement_comment(
    request: HttpRequest, version: int, payload: CommentIn
) -> Status[ProposalComment]:
    comment = signoff.comment_add(
        agreement=_agreement(version), by=acting_user(request), body=payload.body
    )
    return Status(201, comment)


@router.get(
    "/agreements/{version}/diff",
    response=DiffOut,
    summary="What a version says differently from another",
)
def diff_agreement(request: HttpRequest, version: int, params: Query[DiffQuery]) -> dict[str, Any]:
    agreement = _agreement(version)
    against: Agreement | None
    if params.against is not None:
        against = agreement_versions().filter(version=params.against).first()
        if against is None:
            raise AccordError(
                f"no agreement v{params.against}", fields={"against": ["no such version"]}
            )
    elif agreement.status == AgreementStatus.DRAFT:
        against = agreement_versions().filter(status=AgreementStatus.IN_FORCE).first()
    else:
        against = agreement.based_on
    return {
        "version": agreement.version,
        "against": against.version if against else None,
        "changes": agreement_diff(agreement, against),
    }


@router.get(
    "/agreements/{version}/audit",
    response=AuditListOut,
    summary="Who changed what in a version (and its scoring model), newest first",
)
def list_agreement_audit(
    request: HttpRequest, version: int, params: Query[AuditQuery]
) -> dict[str, Any]:
    return {"items": list(audit_for(_agreement(version))[: params.limit])}


# --- personas ------------------------------------------------------------------------------------


@router.get(
    "/personas",
    response=PersonaListOut,
    summary="Personas, by priority then name",
    tags=["personas"],
)
def list_personas(request: HttpRequest) -> dict[str, Any]:
    return {"items": list(_personas())}


@router.get("/personas/{persona_id}", response=PersonaOut, summary="One persona", tags=["personas"])
def get_persona(request: HttpRequest, persona_id: int) -> Persona:
    return _persona(persona_id)


@router.post("/personas", response={201: PersonaOut}, summary="Create a persona", tags=["personas"])
def create_persona(request: HttpRequest, payload: PersonaCreateIn) -> Status[Persona]:
    persona = services.persona_create(by=acting_user(request), **payload.model_dump())
    return Status(201, _persona(persona.pk))


@router.patch(
    "/personas/{persona_id}", response=PersonaOut, summary="Change a persona", tags=["personas"]
)
def update_persona(request: HttpRequest, persona_id: int, payload: PersonaUpdateIn) -> Persona:
    persona = _persona(persona_id)
    services.persona_update(
        persona=persona, by=acting_user(request), **payload.model_dump(exclude_unset=True)
    )
    return _persona(persona_id)


# --- scoring models ------------------------------------------------------------------------------


@router.get(
    "/scoring-models",
    response=ScoringModelListOut,
    summary="Scoring models, newest first",
    tags=["scoring models"],
)
def list_scoring_models(request: HttpRequest) -> dict[str, Any]:
    return {"items": list(ScoringModel.objects.order_by("-version"))}


@router.get(
    "/scoring-models/{version}",
    response=ScoringModelOut,
    summary="A scoring model and its rules",
    tags=["scoring models"],
)
def get_scoring_model(request: HttpRequest, version: int) -> ScoringModel:
    return _scoring_model(version)


@router.post(
    "/scoring-models/{version}/fit-rules",
    response={201: FitRuleOut},
    summary="Add a fit rule to a draft scoring model",
    tags=["scoring models"],
)
def add_fit_rule(request: HttpRequest, version: int, payload: FitRuleIn) -> Status[Any]:
    model = _scoring_model(version)
    rule = signoff.fit_rule_add(model=model, by=acting_user(request), **payload.model_dump())
    return Status(201, rule)


@router.post(
    "/scoring-models/{version}/engagement-rules",
    response={201: EngagementRuleOut},
    summary="Add an engagement rule to a draft scoring model",
    tags=["scoring models"],
)
def add_engagement_rule(
    request: HttpRequest, version: int, payload: EngagementRuleIn
) -> Status[Any]:
    model = _scoring_model(version)
    data = payload.model_dump()
    data["kinds"] = [str(k) for k in data["kinds"]]
    data["channels"] = [str(c) for c in data["channels"]]
    rule = signoff.engagement_rule_add(model=model, by=acting_user(request), **data)
    return Status(201, rule)
