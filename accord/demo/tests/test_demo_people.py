import pytest
from django.contrib.auth import authenticate

from accord.campaigns.services import campaign_create
from accord.demo.catalogue import DEMO_PASSWORD, LOGINS
from accord.demo.generator import demo_build, demo_logins
from accord.demo.tests.helpers import NOW
from accord.funnel.models import Lead
from accord.funnel.services import account_create, deal_create, lead_create
from accord.teams.models import Role, Team, User

pytestmark = pytest.mark.django_db


def test_every_team_and_role_has_named_people_who_can_log_in():
    demo_build(size="tiny", now=NOW)
    logins = demo_logins()
    assert [u.username for u in logins] == list(LOGINS)
    assert {(u.team, u.role) for u in logins} == {
        (Team.MARKETING, Role.HEAD),
        (Team.MARKETING, Role.MEMBER),
        (Team.SALES, Role.HEAD),
        (Team.SALES, Role.REP),
        (Team.LEADERSHIP, Role.HEAD),
        (Team.OPERATIONS, Role.ADMIN),
    }
    assert all(u.first_name and u.last_name for u in User.objects.all())
    assert User.objects.filter(team=Team.MARKETING, role=Role.MEMBER).count() >= 2
    assert User.objects.filter(role=Role.REP).count() >= 4
    assert authenticate(username="ravi", password=DEMO_PASSWORD) is not None


def test_a_bigger_company_has_a_bigger_sales_team():
    from accord.demo.generator import REPS

    demo_build(size="tiny", now=NOW)
    assert User.objects.filter(role=Role.REP).count() == REPS["tiny"] == REPS["small"] == 4
    assert REPS["small"] < REPS["medium"] < REPS["large"]


def test_the_workspace_takes_new_records_after_the_build():
    """Ids were written explicitly; new rows must not collide with them (PostgreSQL sequences)."""
    demo_build(size="tiny", now=NOW)
    rep = User.objects.get(username="ravi")
    account = account_create(by=rep, name="Fresh Prospects", domain="fresh.example")
    lead = lead_create(by=rep, email="new@fresh.example", account=account)
    deal = deal_create(by=rep, name="Fresh deal", amount=1000, primary_lead=lead)
    campaign_create(by=rep, name="Fresh campaign", channel="email")
    assert Lead.objects.get(pk=lead.pk).stage == "opportunity"
    assert deal.pk > 0
    assert Lead.objects.count() == 201


def test_it_refuses_to_build_into_a_database_that_holds_leads():
    from accord.errors import Conflict

    lead_create(by=None, email="someone@example.com")
    with pytest.raises(Conflict, match="already holds leads"):
        demo_build(size="tiny", now=NOW)
    assert Lead.objects.count() == 1
    assert not User.objects.exists()


def test_it_rejects_an_unknown_size():
    from accord.errors import AccordError

    with pytest.raises(AccordError, match="unknown demo size 'huge'"):
        demo_build(size="huge", now=NOW)
