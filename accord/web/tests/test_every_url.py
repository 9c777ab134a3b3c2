"""Every URL of the URL conf answers every demo role without a server error, and sends a visitor
who has not logged in to the login page.

The URLs are discovered from the URL conf, so a page added later is walked too. A path parameter
is filled with real objects of the kind the path names (``leads/<int:pk>/`` → leads,
``api/v1/deals/<deal_id>`` → deals), picked to cover different shapes of record: a lead in each
stage, a lead with no account, an open, a won and a lost deal, and so on. A new kind of object is
found by its model name; when there is none, the walk says which route it could not fill.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver

from accord.agreement.models import Agreement, AgreementStatus, Persona, ScoringModel
from accord.agreement.services import persona_create
from accord.agreement.signoff import agreement_propose, can_propose
from accord.campaigns.models import Campaign, Channel
from accord.demo.catalogue import DEMO_PASSWORD, LOGINS
from accord.demo.generator import demo_build
from accord.funnel.models import Account, Deal, DealStatus, Lead, Note, Stage
from accord.funnel.services import account_create, deal_create, lead_create
from accord.teams.models import ApiToken, Role, User
from accord.teams.services import token_create
from accord.web.navigation import UPCOMING

pytestmark = pytest.mark.django_db

# Actions behind a button (POST only). A GET must still not fail; these answer it with a
# redirect to the record's page.
POST_ONLY = {
    "logout",
    "lead_move",
    "lead_note",
    "deal_win",
    "deal_lose",
    "deal_reopen",
    "deal_stage",
    "settings_token_revoke",
    "proposal_sign",
    "proposal_withdraw",
    "proposal_comment",
    "fit_rule_add",
    "engagement_rule_add",
}
# Pages that send a signed-in person on by design (the scoring model in force is a version's
# page; a version no longer a proposal sends its editor to its page).
REDIRECTS = {"login", "scoring_model_in_force", "proposal_edit"}
# Pages anyone may open.
PUBLIC = {"login", "openapi-json", "openapi-view"}
# Pages only admins may open; others are refused (403) with a page that says why.
ADMIN_ONLY = {"settings_user_create", "settings_user_edit"}
# Pages only people who may draft the agreement open (marketing, sales, admins).
PROPOSERS_ONLY = {"proposal_create", "proposal_edit"}
# Not walked: Django's own admin site, and the API's root, which exists only to name the prefix
# and answers 404.
SKIP_NAMESPACES = {"admin"}
SKIP_NAMES = {"api-root"}
API_NAMESPACE = "api"
# Kinds in paths whose model is named differently.
ALIASES = {
    "pipeline": "funnel.PipelineStage",
    "pipeline_stage": "funnel.PipelineStage",
    "stage": "funnel.PipelineStage",
    "property": "funnel.PropertyDefinition",
    "token": "teams.ApiToken",
    "person": "teams.User",
}

PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    route: str  # e.g. "leads/<int:pk>/"
    name: str
    namespace: str

    @property
    def is_api(self) -> bool:
        return self.namespace == API_NAMESPACE

    @property
    def is_catch_all(self) -> bool:
        """A ``<path:…>`` route answering every other address (e.g. the API's JSON 404)."""
        return any(m["converter"] == "path" for m in PARAM.finditer(self.route))


def discover() -> list[Route]:
    """Every route of the URL conf, once per distinct path."""
    found: dict[str, Route] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Route]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                if inner in SKIP_NAMESPACES:
                    continue
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                assert not route.startswith("^"), f"cannot walk the regex route {route!r}"
                yield Route(route, pattern.name or route, namespace)

    for route in walk(get_resolver().url_patterns, "", ""):
        if route.name not in SKIP_NAMES:
            found.setdefault(route.route, route)
    return list(found.values())


def singular(word: str) -> str:
    word = word.replace("-", "_")
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word.removesuffix("s")


def kind_of(route: str, match: re.Match[str]) -> str:
    """What a path parameter names: ``lead_id`` → lead; ``leads/<int:pk>`` → lead."""
    name = match["name"]
    if name not in ("pk", "id", "slug", "version"):
        return name.removesuffix("_id").removesuffix("_pk").removesuffix("_slug")
    # A version follows its kind: ``agreements/<version>``, ``scoring-models/v<int:version>``.
    segments = [s for s in route[: match.start()].split("/") if s and s != "v"]
    return singular(segments[-1]) if segments else name


def model_for(kind: str) -> Any:
    if kind in ALIASES:
        return apps.get_model(ALIASES[kind])
    wanted = kind.replace("_", "")
    for model in apps.get_models():
        if wanted in (model._meta.model_name, str(model._meta.verbose_name).replace(" ", "")):
            return model
    return None


def representatives(user: User) -> dict[str, list[Any]]:
    """Objects of each kind, chosen to cover the shapes of record pages must handle."""

    def first(qs: Any) -> list[Any]:
        obj = qs.order_by("pk").first()
        return [obj.pk] if obj is not None else []

    # Records as bare as real exports allow: a lead known only by an external id, an account
    # with a name only, a deal linked to neither.
    bare_lead = lead_create(by=None, external_id="crm-000123")
    bare_account = account_create(by=None, name="Unnamed Holdings")
    bare_deal = deal_create(by=None, name="Renewal, contact unknown", amount=5000)
    leads = [pk for stage in Stage.values for pk in first(Lead.objects.filter(stage=stage))]
    leads.append(bare_lead.pk)
    leads += first(Lead.objects.filter(account__isnull=True))
    leads += first(Lead.objects.filter(pk__in=Note.objects.values("lead_id")))
    deals = [pk for s in DealStatus.values for pk in first(Deal.objects.filter(status=s))]
    deals += first(Deal.objects.filter(account__isnull=True))
    deals.append(bare_deal.pk)
    accounts = first(Account.objects.filter(deals__status=DealStatus.WON))
    accounts += first(Account.objects.filter(leads__isnull=True))
    accounts += first(Account.objects.filter(is_target=True))
    accounts.append(bare_account.pk)
    agreements, scoring_models, personas = agreement_representatives()
    campaigns = first(Campaign.objects.filter(channel=Channel.WEBINAR))
    campaigns += first(Campaign.objects.filter(channel=Channel.OUTBOUND))
    others = User.objects.exclude(pk=user.pk)
    token, _ = token_create(user=user, name="walking every page")
    other_token, _ = token_create(user=others.filter(role=Role.REP).first() or user, name="theirs")
    return {
        "import": import_jobs(user),
        "lead": sorted(set(leads)),
        "deal": sorted(set(deals)),
        "account": sorted(set(accounts)),
        "campaign": campaigns,
        "user": [
            user.pk,
            *first(others.filter(role=Role.REP)),
            *first(others.filter(role=Role.ADMIN)),
        ],
        "token": [token.pk, other_token.pk],
        "area": list(UPCOMING),
        # Agreements and scoring models are addressed by version, not by id.
        "agreement": agreements,
        "scoring_model": scoring_models,
        "persona": personas,
    }


def agreement_representatives() -> tuple[list[int], list[int], list[int]]:
    """Versions of the agreement in every state the demo has (an open proposal at least, with
    its draft scoring model), and a persona."""
    if not Agreement.objects.filter(status=AgreementStatus.DRAFT).exists():
        head = User.objects.filter(team="marketing", role=Role.HEAD).first()
        assert head is not None, "the demo has a head of marketing"
        agreement_propose(by=head, title="A proposal to walk")
    if not Persona.objects.exists():
        persona_create(by=None, name="A persona to walk")
    agreements = [
        version
        for status in AgreementStatus.values
        for version in Agreement.objects.filter(status=status)
        .order_by("version")
        .values_list("version", flat=True)[:1]
    ]
    scoring_models = list(
        {m.status: m.version for m in ScoringModel.objects.order_by("-version")}.values()
    )
    personas = list(Persona.objects.order_by("pk").values_list("pk", flat=True)[:2])
    return agreements, scoring_models, personas


def import_jobs(user: User) -> list[int]:
    """An upload waiting for its mapping, and a finished run with a rejected row."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accord.imports.services import import_job_create, import_job_map, import_job_start

    def upload() -> Any:
        rows = (
            "email,first_name,last_name,title\n"
            "new.person@acme.example,New,Person,CFO\n"
            ",No,Email,CTO\n"  # neither email nor external id: rejected
        )
        return SimpleUploadedFile("leads.csv", rows.encode(), content_type="text/csv")

    waiting = import_job_create(by=user, entity="leads", upload=upload())
    done = import_job_create(by=user, entity="leads", upload=upload())
    done = import_job_start(job=import_job_map(job=done, by=user, mapping={"columns": {}}), by=user)
    return [waiting.pk, done.pk]


def urls_of(route: Route, fillers: dict[str, list[Any]], problems: list[str]) -> list[str]:
    matches = list(PARAM.finditer(route.route))
    choices = []
    for match in matches:
        if match["converter"] == "path":
            choices.append(["no/such/address"])
            continue
        kind = kind_of(route.route, match)
        values = fillers.get(kind)
        if values is None:
            model = model_for(kind)
            if model is None:
                problems.append(f"{route.route}: no way to fill <{match['name']}> ({kind!r})")
                return []
            values = list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:2])
            fillers[kind] = values
        if not values:
            problems.append(f"{route.route}: the demo workspace has no {kind} to fill it with")
            return []
        choices.append([str(v) for v in values])
    urls = []
    for combination in itertools.product(*choices):
        url = route.route
        for match, value in zip(reversed(matches), reversed(combination), strict=True):
            url = url[: match.start()] + value + url[match.end() :]
        urls.append("/" + url)
    return urls


def fetch(client: Any, url: str, **headers: str) -> tuple[Any, str | None]:
    try:
        return client.get(url, headers=headers), None
    except Exception as exc:  # the walk reports every failing page, not just the first
        return None, f"{type(exc).__name__}: {str(exc)[:300]}"


def walk(
    client: Any,
    user: User | None,
    judge: Callable[[Route, Any], str | None],
    **headers: str,
) -> tuple[int, list[str]]:
    """GET every URL; ``judge`` returns what is wrong with a response, or None."""
    problems: list[str] = []
    fillers = representatives(user or User.objects.get(username="owen"))
    walked = 0
    for route in discover():
        for url in urls_of(route, fillers, problems):
            response, error = fetch(client, url, **headers)
            walked += 1
            if error:
                problems.append(f"GET {url} ({route.name}): {error}")
                continue
            if response.status_code >= 500:
                problems.append(f"GET {url} ({route.name}): server error {response.status_code}")
                continue
            verdict = judge(route, response)
            if verdict:
                problems.append(f"GET {url} ({route.name}): {verdict}")
    return walked, problems


def as_signed_in(user: User) -> Callable[[Route, Any], str | None]:
    def judge(route: Route, response: Any) -> str | None:
        status = response.status_code
        if route.is_catch_all:
            return None if status == 404 else f"answered {status} to an unknown address"
        if route.name in POST_ONLY:
            return None if status in (302, 303, 405) else f"answered {status} to a GET"
        if route.is_api and status == 405:
            return None  # no GET operation at this path
        if status == 200:
            return None
        if status in (301, 302, 303) and route.name in REDIRECTS:
            return None
        if status == 403 and route.name in ADMIN_ONLY and not user.is_admin:
            return None
        if status == 403 and route.name in PROPOSERS_ONLY and not can_propose(user):
            return None
        where = f" to {response.get('Location')}" if status in (301, 302, 303) else ""
        return f"answered {status}{where}"

    return judge


def as_visitor(route: Route, response: Any) -> str | None:
    status = response.status_code
    if route.name in PUBLIC:
        return None if status == 200 else f"public page answered {status}"
    if route.is_catch_all:
        return None if status in (401, 404) else f"answered {status} to an unknown address"
    if route.is_api:
        return None if status in (401, 405) else f"answered {status}, not 401"
    login = resolve_url(settings.LOGIN_URL)
    if route.name in POST_ONLY and status == 405:
        return None
    if status == 302 and response["Location"].startswith(login + "?next="):
        return None
    return f"answered {status} {response.get('Location', '')}, not a redirect to {login}"


@pytest.fixture
def demo(settings: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path  # uploads of the import jobs the walk creates
    demo_build(size="tiny")


@pytest.mark.parametrize("username", LOGINS)
def test_every_page_answers_each_demo_role(client, demo, username):
    assert client.login(username=username, password=DEMO_PASSWORD)
    user = User.objects.get(username=username)
    walked, problems = walk(client, user, as_signed_in(user))
    assert not problems, f"{len(problems)} of {walked} URLs failed for {username}:\n" + "\n".join(
        problems
    )
    assert walked >= 60


def test_every_page_answers_htmx_requests(client, demo):
    """Pages return a full page or a fragment from one view; the fragment must work too."""
    client.login(username="ravi", password=DEMO_PASSWORD)
    user = User.objects.get(username="ravi")
    walked, problems = walk(client, user, as_signed_in(user), HX_Request="true")
    assert not problems, f"{len(problems)} of {walked} URLs failed:\n" + "\n".join(problems)


def test_every_page_sends_a_visitor_to_log_in(client, demo):
    walked, problems = walk(client, None, as_visitor)
    assert not problems, f"{len(problems)} of {walked} URLs failed:\n" + "\n".join(problems)
    assert ApiToken.objects.exists()  # the token pages were filled with real tokens


def test_the_walk_finds_the_pages_of_every_area():
    names = {route.name for route in discover()}
    assert {"home", "leads", "lead_detail", "deal_detail", "campaign_detail", "area"} <= names
    assert {"settings_tokens", "import_start", "get_lead", "openapi-json"} <= names
    assert {"agreement", "agreement_detail", "proposal_create", "persona_detail"} <= names
    assert {"scoring_model_detail", "agreement_print", "agreement_pdf"} <= names
    assert not {name for name in names if name.startswith("admin")}
