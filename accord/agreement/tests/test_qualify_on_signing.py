"""End to end: when both heads have signed, the new version applies to every lead once the
signature commits: leads are scored under its model and those meeting its MQL definition move
to mql; a manual move of the others is then refused."""

import pytest

from accord.agreement.models import AgreementStatus
from accord.agreement.signoff import (
    agreement_propose,
    agreement_sign,
    agreement_update,
    fit_rule_add,
)
from accord.errors import Conflict
from accord.funnel.models import Lead, StageChange, StageSource
from accord.funnel.services import lead_move
from accord.funnel.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def test_the_second_signature_qualifies_the_leads_meeting_the_new_definition(
    marketing_head, sales_head, marketer, django_capture_on_commit_callbacks
):
    vp, engineer = make_lead(title="VP Sales"), make_lead(title="Engineer")
    proposal = agreement_propose(by=marketing_head, title="Leaders first")
    assert proposal.scoring_model is not None
    fit_rule_add(
        model=proposal.scoring_model,
        by=marketing_head,
        label="VP",
        criteria=[{"field": "title", "op": "contains", "value": "VP"}],
        points=65,
    )
    agreement_update(
        agreement=proposal,
        by=marketing_head,
        mql_definition=[[{"field": "score", "op": "at_least", "value": 60}]],
    )
    agreement_sign(agreement=proposal, by=marketing_head)
    assert Lead.objects.get(pk=vp.pk).stage == "lead"  # not in force yet

    with django_capture_on_commit_callbacks(execute=True):
        agreement_sign(agreement=proposal, by=sales_head)

    proposal.refresh_from_db()
    assert proposal.status == AgreementStatus.IN_FORCE
    vp.refresh_from_db()
    engineer.refresh_from_db()
    assert (vp.score, vp.stage) == (65, "mql")
    assert (engineer.score, engineer.stage) == (0, "lead")
    change = StageChange.objects.filter(lead=vp).latest("id")
    assert (change.source, change.reason) == (
        StageSource.SYSTEM,
        f"met the MQL definition of agreement v{proposal.version}",
    )
    with pytest.raises(Conflict) as caught:
        lead_move(lead=engineer, to_stage="mql", by=marketer)
    assert "score ≥ 60 (is 0)" in caught.value.message
    # A lead created afterwards is scored and qualified at once.
    assert make_lead(title="VP Finance").stage == "mql"
