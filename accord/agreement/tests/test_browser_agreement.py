"""Acceptance 6 of issue 3, in a browser: a marketing head drafts a proposal raising the MQL
threshold and sees the backtest; both heads sign it; it is in force, the lead list shows the
new scores, and the agreement's print view renders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accord.agreement.models import AgreementStatus, ModelStatus
from accord.agreement.services import engagement_rule_create, fit_rule_create
from accord.agreement.signoff import agreement_propose, agreement_sign, agreement_update
from accord.campaigns.services import touch_create
from accord.funnel.models import Lead
from accord.funnel.tests.factories import make_account, make_lead
from accord.scoring.engine import rescore_all
from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MQL_40 = [[{"field": "score", "op": "at_least", "value": 40}]]


@pytest.fixture
def history(marketer: Any, marketing_head: Any, sales_head: Any) -> dict[str, Any]:
    """Agreement v1 in force (score ≥ 40 makes an MQL; executives +40, demo requests +30), and
    five months of leads: executives, half of whom asked for a demo, and analysts who did."""
    first = agreement_propose(by=marketer, title="Our first agreement")
    model = first.scoring_model
    assert model is not None
    fit_rule_create(
        model=model,
        by=marketer,
        label="Executives",
        criteria=[{"field": "title", "op": "contains", "value": ["VP"]}],
        points=40,
    )
    engagement_rule_create(
        model=model, by=marketer, label="Demo requests", kinds=["demo_request"], points=30, cap=60
    )
    agreement_update(agreement=first, by=marketer, mql_definition=MQL_40)
    agreement_sign(agreement=first, by=marketing_head)
    agreement_sign(agreement=first, by=sales_head)
    first.refresh_from_db()
    assert first.status == AgreementStatus.IN_FORCE

    now = timezone.now()
    software = make_account(name="Softworks", industry="Software")
    retail = make_account(name="Shopfront", industry="Retail")
    for i in range(6):
        executive = make_lead(
            first_name="Vera",
            last_name=f"Exec{i}",
            title="VP Engineering",
            account=software if i % 3 else retail,
            created_at=now - timedelta(days=150),
        )
        if i % 2:
            touch_create(
                by=None, lead=executive, kind="demo_request", at=now - timedelta(days=100 - i)
            )
    for i in range(4):
        analyst = make_lead(
            first_name="Alex",
            last_name=f"Analyst{i}",
            title="Analyst",
            account=retail,
            created_at=now - timedelta(days=150),
        )
        touch_create(by=None, lead=analyst, kind="demo_request", at=now - timedelta(days=60))
    rescore_all(model)
    return {"v1": first}


def score_in_list(page: Any, name: str) -> str:
    row = page.locator("[data-testid=lead-row]", has_text=name)
    return str(row.locator("[data-testid=lead-score]").inner_text()).strip()


def test_a_proposal_raising_the_mql_threshold_is_backtested_signed_and_put_in_force(
    page: Any, history: dict[str, Any]
) -> None:
    v1 = history["v1"]
    # Vera Exec1 works at Softworks and asked for a demo: 40 + 30 under v1.
    browser_login(page, "hana")
    page.goto("/leads/?q=Exec1")
    assert score_in_list(page, "Vera Exec1") == "70"
    assert score_in_list(page, "Vera Exec1") == str(Lead.objects.get(last_name="Exec1").score)

    # The marketing head drafts a proposal from the navigation.
    page.goto("/")
    page.click("text=Agreement")
    page.click(".dropdown-menu >> text=Proposals")
    page.wait_for_url("**/agreement/proposals/")
    page.click("[data-testid=new-proposal]")
    page.fill("#id_title", "Raise the MQL threshold to 60")
    page.fill("#id_summary", "Sales rejects too many MQLs under 60.")
    page.click("[data-testid=save]")
    page.wait_for_url("**/agreement/v2/edit/")

    definition = page.input_value("#id_mql_definition")
    assert '"value": 40' in definition
    page.fill("#id_mql_definition", definition.replace('"value": 40', '"value": 60'))
    page.click("[data-testid=save]")
    page.wait_for_url("**/agreement/v2/")
    assert "Proposal v2 saved." in page.inner_text(".alert-success")
    assert "score ≥ 60" in page.inner_text("[data-testid=definitions]")
    changes = page.inner_text("[data-testid=changes]")
    assert "MQL" in changes and "60" in changes and "40" in changes

    # The backtest loads after the page: the proposal beside the version in force.
    page.wait_for_selector("[data-testid=backtest-total]")
    backtest = page.text_content("[data-testid=backtest]") or ""
    assert "This version (v2)" in backtest
    assert f"In force (v{v1.version})" in backtest
    # Under v1 every executive qualifies (6); under v2 only those who asked for a demo (3).
    assert page.inner_text("[data-testid=in-force-total]").strip() == "6"
    assert page.inner_text("[data-testid=proposed-total]").strip() == "3"

    # The proposal's own draft scoring model takes a new rule: software companies +20.
    page.click("[data-testid=scoring-model-link]")
    page.wait_for_url("**/scoring-models/v*/")
    page.wait_for_selector("[data-testid=fit-rule-form]")
    page.fill("#id_fit-label", "Software companies")
    page.fill("#id_fit-points", "20")
    page.fill("#id_fit-criteria", "account.industry in Software")
    page.click("[data-testid=add-fit-rule]")
    page.wait_for_selector("[data-testid=fit-rules] >> text=Software companies")

    # The marketing head signs; the proposal waits for sales.
    page.goto("/agreement/v2/")
    page.click("[data-testid=sign]")
    page.wait_for_selector(".alert-success")
    assert "needs the other head's signature" in page.inner_text(".alert-success")
    assert "Signed" in page.inner_text("[data-testid=signature-marketing]")
    assert "Awaited" in page.inner_text("[data-testid=signature-sales]")

    # The sales head signs: v2 comes into force and leads are rescored under its model.
    page.context.clear_cookies()
    browser_login(page, "sam")
    page.goto("/agreement/proposals/")
    page.click("text=v2 · Raise the MQL threshold to 60")
    page.wait_for_url("**/agreement/v2/")
    page.click("[data-testid=sign]")
    page.wait_for_selector(".alert-success")
    assert "Agreement v2 is in force" in page.inner_text(".alert-success")
    assert page.inner_text("[data-testid=agreement-status]") == "In force"

    page.goto("/agreement/")
    assert "v2 · Raise the MQL threshold to 60" in page.inner_text(".page-title")
    assert "score ≥ 60" in page.inner_text("[data-testid=definitions]")

    # The lead list shows the scores under the new model: 40 + 20 + 30.
    page.goto("/leads/?q=Exec1")
    assert score_in_list(page, "Vera Exec1") == "90"
    page.goto("/leads/?q=Exec0")
    assert score_in_list(page, "Vera Exec0") == "40"  # at Shopfront, no demo: unchanged

    # The print view renders the whole document with both signatures.
    page.goto("/agreement/")
    page.click("[data-testid=print]")
    page.wait_for_url("**/agreement/v2/print/")
    assert "Agreement v2: Raise the MQL threshold to 60" in page.inner_text(
        "[data-testid=print-title]"
    )
    assert page.locator("[data-testid=print-section]").count() >= 5
    signatures = page.inner_text("[data-testid=print-signatures]")
    assert "Hana Head-of-Marketing" in signatures
    assert "Sam Head-of-Sales" in signatures
    v1.refresh_from_db()
    assert v1.status == AgreementStatus.ARCHIVED
    assert v1.scoring_model.status == ModelStatus.ARCHIVED


def test_the_backtest_window_changes_in_place(page: Any, history: dict[str, Any]) -> None:
    proposal = agreement_propose(by=history["v1"].proposed_by, title="Same again")
    browser_login(page, "mia")
    page.goto(f"/agreement/v{proposal.version}/")
    page.wait_for_selector("[data-testid=backtest-total]")
    assert page.locator("[data-testid=backtest-month]").count() == 12
    page.evaluate("window.notReloaded = true")
    page.click("[data-testid=backtest] >> text=6 months")
    page.wait_for_function("document.querySelectorAll('[data-testid=backtest-month]').length === 6")
    assert page.evaluate("window.notReloaded") is True
    assert page.url.endswith(f"/agreement/v{proposal.version}/")


def test_a_marketer_writes_a_persona_and_fixes_a_bad_criterion(page: Any, marketer: Any) -> None:
    make_lead(first_name="Nina", last_name="Noor", title="Head of Finance")
    browser_login(page, "mia")
    page.goto("/")
    page.click("text=Agreement")
    page.click(".dropdown-menu >> text=Personas")
    page.wait_for_url("**/personas/")
    page.click("[data-testid=new-persona]")
    page.fill("#id_name", "Finance buyer")
    page.fill("#id_pains", "Month-end close takes two weeks.")
    page.fill("#id_criteria", "title contains Finance, CFO\naccount.employees between lots")
    page.click("[data-testid=save]")
    error = page.inner_text(".invalid-feedback")
    assert "between takes min..max" in error
    assert page.input_value("#id_name") == "Finance buyer"

    page.fill("#id_criteria", "title contains Finance, CFO")
    page.click("[data-testid=save]")
    page.wait_for_url("**/personas/*/")
    assert "Persona “Finance buyer” created." in page.inner_text(".alert-success")
    assert page.inner_text("[data-testid=persona-criteria]").startswith(
        "title contains Finance, CFO"
    )
    assert "Month-end close takes two weeks." in page.inner_text("body")
