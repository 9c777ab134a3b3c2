"""Leads follow the agreement in force as data arrives: created or changed leads at once, touches
and imports through one background task per batch (never per-lead work in the bulk path)."""

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accord.agreement.models import Agreement, AgreementStatus, LeadPersona, ModelStatus
from accord.agreement.services import (
    engagement_rule_create,
    fit_rule_create,
    persona_create,
    scoring_model_create,
)
from accord.campaigns.services import touch_create, touches_ingest
from accord.errors import Conflict
from accord.funnel.models import Lead, StageChange, StageSource
from accord.funnel.services import account_create, account_update, lead_move, lead_update
from accord.funnel.tests.factories import make_lead
from accord.imports.engine import import_file

pytestmark = pytest.mark.django_db

# Score ≥ 60 (a VP or Head gives 70 fit), or a demo request.
MQL = [
    [{"field": "score", "op": "at_least", "value": 60}],
    [{"field": "touches", "op": "at_least", "value": 1, "kinds": ["demo_request"]}],
]


@pytest.fixture
def agreement(marketer):
    persona_create(
        by=marketer,
        name="Leader",
        criteria=[{"field": "title", "op": "contains", "value": ["VP", "Head"]}],
    )
    model = scoring_model_create(by=None, name="v1")
    fit_rule_create(
        model=model,
        by=None,
        label="VP or Head",
        criteria=[{"field": "title", "op": "contains", "value": ["VP", "Head"]}],
        points=70,
    )
    fit_rule_create(
        model=model,
        by=None,
        label="Big account",
        criteria=[{"field": "account.employees", "op": "between", "value": [500, None]}],
        points=25,
    )
    engagement_rule_create(
        model=model, by=None, label="Webinars", points=10, cap=30, kinds=["webinar"]
    )
    model.status = ModelStatus.IN_FORCE
    model.save()
    return Agreement.objects.create(
        version=4,
        title="v4",
        status=AgreementStatus.IN_FORCE,
        mql_definition=MQL,
        scoring_model=model,
    )


def stage_of(lead: Lead) -> str:
    lead.refresh_from_db()
    return lead.stage


# --- acceptance: the gate moves qualifying leads by itself, and refuses the others by hand ----


def test_a_new_lead_meeting_the_mql_definition_becomes_an_mql_by_itself(agreement):
    lead = make_lead(title="VP Marketing")
    assert (lead.stage, lead.score, lead.fit_score) == ("mql", 70, 70)
    assert lead.persona_match.persona.name == "Leader"
    change = StageChange.objects.filter(lead=lead).latest("id")
    assert (change.to_stage, change.source, change.reason) == (
        "mql",
        StageSource.SYSTEM,
        "met the MQL definition of agreement v4",
    )


def test_a_new_lead_short_of_the_definition_stays_and_cannot_be_moved_by_hand(agreement, marketer):
    lead = make_lead(title="Engineer")
    assert (lead.stage, lead.score) == ("lead", 0)
    with pytest.raises(Conflict) as caught:
        lead_move(lead=lead, to_stage="mql", by=marketer, reason="I like them")
    assert "score ≥ 60 (is 0)" in caught.value.message
    assert stage_of(lead) == "lead"


def test_a_changed_lead_is_rescored_and_qualified_at_once(agreement):
    lead = make_lead(title="Engineer")
    lead = lead_update(lead=lead, by=None, title="Head of Data")
    assert (lead.stage, lead.score) == ("mql", 70)
    assert LeadPersona.objects.get(lead=lead).persona.name == "Leader"


def test_a_changed_lead_loses_its_persona_and_score_but_keeps_its_stage(agreement):
    lead = make_lead(title="VP Sales")
    lead = lead_update(lead=lead, by=None, title="Engineer")
    assert (lead.score, lead.stage) == (0, "mql")  # stage moves are never undone silently
    assert not LeadPersona.objects.filter(lead=lead).exists()


def test_without_an_agreement_in_force_a_new_lead_is_matched_but_not_scored_or_moved(marketer):
    persona_create(
        by=marketer, name="Leader", criteria=[{"field": "title", "op": "contains", "value": "VP"}]
    )
    lead = make_lead(title="VP Sales")
    assert (lead.stage, lead.score) == ("lead", 0)
    assert LeadPersona.objects.get(lead=lead).persona.name == "Leader"


# --- touches ----------------------------------------------------------------------------------


def test_a_touch_refreshes_its_lead_once_committed(agreement, django_capture_on_commit_callbacks):
    lead = make_lead(title="Engineer")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        touch_create(by=None, lead=lead, kind="demo_request", at=timezone.now())
    assert len(callbacks) == 1
    assert stage_of(lead) == "mql"


def test_touches_ingested_in_bulk_enqueue_one_task_for_the_batch(
    agreement, django_capture_on_commit_callbacks
):
    leads = [make_lead(title="Engineer") for _ in range(4)]
    now = timezone.now()
    rows = [
        {"lead_id": lead.pk, "kind": "webinar", "at": (now - timedelta(hours=n)).isoformat()}
        for n, lead in enumerate(leads * 3)
    ]
    rows.append({"lead_id": leads[0].pk, "kind": "demo_request", "at": now.isoformat()})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = touches_ingest(rows=rows, by=None)
    assert result.created == 13
    assert len(callbacks) == 1
    assert Lead.objects.filter(score__gt=0).count() == 0  # nothing done per lead meanwhile
    callbacks[0]()
    scores = dict(Lead.objects.values_list("pk", "engagement_score"))
    assert scores == {lead.pk: 30 for lead in leads}
    assert [stage_of(lead) for lead in leads] == ["mql", "lead", "lead", "lead"]


# --- imports ----------------------------------------------------------------------------------


def write(tmp_path: Path, rows: list[list[str]], name: str = "file.csv") -> Path:
    path = tmp_path / name
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_a_touch_import_enqueues_one_task_per_batch_with_its_leads(
    agreement, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.ACCORD_IMPORT_BATCH = 4
    leads = [make_lead(email=f"p{n}@example.com", title="Engineer") for n in range(5)]
    now = timezone.now()
    header = ["id", "lead_email", "kind", "at"]
    body = [
        [f"t{n}", f"p{n % 5}@example.com", "webinar", (now - timedelta(days=n)).isoformat()]
        for n in range(9)
    ]
    body.append(["t9", "p4@example.com", "demo_request", now.isoformat()])
    path = write(tmp_path, [header, *body])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = import_file(entity="touches", path=path, by=None)
    assert result.created == 10
    assert len(callbacks) == 3  # 10 rows in batches of 4
    assert not Lead.objects.filter(stage="mql").exists()
    for callback in callbacks:
        callback()
    assert [stage_of(lead) for lead in leads] == ["lead", "lead", "lead", "lead", "mql"]
    assert Lead.objects.filter(engagement_score__gt=0).count() == 5


def test_a_dry_run_import_enqueues_nothing(agreement, tmp_path, django_capture_on_commit_callbacks):
    make_lead(email="p0@example.com")
    path = write(
        tmp_path, [["lead_email", "kind", "at"], ["p0@example.com", "demo_request", "2026-01-05"]]
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_file(entity="touches", path=path, by=None, dry_run=True)
    assert callbacks == []


def test_imported_leads_are_matched_scored_and_qualified(
    agreement, tmp_path, django_capture_on_commit_callbacks
):
    path = write(
        tmp_path,
        [
            ["email", "first_name", "title"],
            ["ana@example.com", "Ana", "VP Finance"],
            ["bo@example.com", "Bo", "Analyst"],
        ],
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_file(entity="leads", path=path, by=None)
    assert len(callbacks) == 1
    stages = dict(Lead.objects.values_list("email", "stage"))
    assert stages == {"ana@example.com": "mql", "bo@example.com": "lead"}
    assert Lead.objects.get(email="ana@example.com").persona_match.persona.name == "Leader"


def test_an_account_import_rescores_the_leads_of_the_accounts_it_changed(
    agreement, tmp_path, django_capture_on_commit_callbacks
):
    account = account_create(by=None, name="Acme", domain="acme.example", employees=50)
    lead = make_lead(title="Analyst", account=account)
    path = write(tmp_path, [["name", "domain", "employees"], ["Acme", "acme.example", "900"]])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_file(entity="accounts", path=path, by=None)
    assert len(callbacks) == 1
    lead.refresh_from_db()
    assert (lead.fit_score, lead.stage) == (25, "lead")


def test_a_changed_account_rescores_its_leads_once_committed(
    agreement, django_capture_on_commit_callbacks
):
    account = account_create(by=None, name="Acme", employees=50)
    leads = [make_lead(title="Analyst", account=account) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        account_update(account=account, by=None, employees=10_000)
    assert len(callbacks) == 1
    assert [Lead.objects.get(pk=lead.pk).fit_score for lead in leads] == [25, 25, 25]
