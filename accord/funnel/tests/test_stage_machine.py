from datetime import timedelta

import pytest
from django.utils import timezone

from accord.errors import AccordError, Conflict
from accord.funnel.models import DealStatus, Stage, StageChange
from accord.funnel.services import deal_create, deal_lose, deal_win, lead_move

from .factories import make_deal, make_lead

pytestmark = pytest.mark.django_db


def test_a_new_lead_has_a_creation_stage_change():
    lead = make_lead()
    changes = list(lead.stage_changes.all())
    assert [(c.from_stage, c.to_stage) for c in changes] == [("", "lead")]
    assert changes[0].at == lead.created_at


def test_it_moves_a_lead_and_records_who_and_why(marketer):
    lead = make_lead()
    change = lead_move(lead=lead, to_stage=Stage.MQL, by=marketer, reason="webinar")
    lead.refresh_from_db()
    assert lead.stage == Stage.MQL
    assert (change.from_stage, change.to_stage, change.actor, change.reason) == (
        "lead",
        "mql",
        marketer,
        "webinar",
    )


def test_it_refuses_an_illegal_move_with_the_reason(marketer):
    lead = make_lead()
    lead_move(lead=lead, to_stage=Stage.SQL, by=marketer)
    with pytest.raises(Conflict) as exc:
        lead_move(lead=lead, to_stage=Stage.MQL, by=marketer)
    assert "cannot move from SQL to MQL" in exc.value.message
    lead.refresh_from_db()
    assert lead.stage == Stage.SQL
    assert lead.stage_changes.count() == 2


def test_it_refuses_a_move_to_the_same_stage(marketer):
    lead = make_lead()
    with pytest.raises(Conflict, match="already Lead"):
        lead_move(lead=lead, to_stage=Stage.LEAD, by=marketer)


def test_it_refuses_an_unknown_stage(marketer):
    with pytest.raises(Conflict, match="unknown stage 'hot'"):
        lead_move(lead=make_lead(), to_stage="hot", by=marketer)


def test_a_customer_is_final(marketer):
    lead = make_lead()
    make_deal(primary_lead=lead, status=DealStatus.WON)
    with pytest.raises(Conflict, match="final"):
        lead_move(lead=lead, to_stage=Stage.RECYCLED, by=marketer)


def test_a_historical_move_keeps_creation_no_later_than_the_first_stage_date(marketer):
    lead = make_lead()
    # A lead created now whose MQL date lies a year back: the move pulls creation back.
    lead.stage_changed_at = timezone.now() - timedelta(days=400)
    lead.save()
    mql_at = timezone.now() - timedelta(days=365)
    lead_move(lead=lead, to_stage=Stage.MQL, by=marketer, at=mql_at)
    lead.refresh_from_db()
    assert lead.created_at <= mql_at


def test_a_move_cannot_predate_the_last_move(marketer):
    lead = make_lead()
    lead_move(lead=lead, to_stage=Stage.MQL, by=marketer)
    with pytest.raises(Conflict, match="before the lead's last move"):
        lead_move(lead=lead, to_stage=Stage.SAL, by=marketer, at=timezone.now() - timedelta(days=3))


def test_a_move_cannot_be_in_the_future(marketer):
    with pytest.raises(AccordError, match="future"):
        lead_move(
            lead=make_lead(), to_stage=Stage.MQL, by=marketer, at=timezone.now() + timedelta(days=1)
        )


def test_opening_a_deal_makes_the_lead_an_opportunity_and_winning_a_customer(sales_rep):
    lead = make_lead()
    deal = deal_create(by=sales_rep, name="Pilot", amount=5000, primary_lead=lead)
    lead.refresh_from_db()
    assert lead.stage == Stage.OPPORTUNITY
    closed = timezone.now()
    deal_win(deal=deal, by=sales_rep, closed_at=closed)
    lead.refresh_from_db()
    assert lead.stage == Stage.CUSTOMER
    last = lead.stage_changes.order_by("-at", "-id").first()
    assert last is not None and last.at == closed and last.to_stage == Stage.CUSTOMER


def test_a_historical_won_deal_makes_the_lead_a_customer_at_its_close_time(sales_rep):
    lead = make_lead(created_at=timezone.now() - timedelta(days=200))
    created = timezone.now() - timedelta(days=120)
    closed = timezone.now() - timedelta(days=60)
    deal_create(
        by=sales_rep,
        name="Old win",
        amount=9000,
        primary_lead=lead,
        created_at=created,
        status=DealStatus.WON,
        closed_at=closed,
    )
    moves = list(StageChange.objects.filter(lead=lead).values_list("to_stage", "at"))
    assert moves == [("lead", lead.created_at), ("opportunity", created), ("customer", closed)]


def test_a_deal_may_have_no_account_and_no_lead():
    deal = make_deal()
    assert deal.account is None and deal.primary_lead is None


def test_losing_needs_a_reason_and_winning_twice_is_refused(sales_rep):
    deal = make_deal()
    with pytest.raises(AccordError, match="say why"):
        deal_lose(deal=deal, by=sales_rep, loss_reason=" ")
    deal_lose(deal=deal, by=sales_rep, loss_reason="Price")
    with pytest.raises(Conflict, match="already lost"):
        deal_win(deal=deal, by=sales_rep)
