import pytest

from accord.funnel.models import StageChange
from accord.funnel.services import lead_move

from .factories import make_lead

pytestmark = pytest.mark.django_db


def test_a_marketer_moves_a_lead_with_a_reason(marketer_client, marketer):
    lead = make_lead()
    response = marketer_client.post(
        f"/leads/{lead.pk}/move/", {"to_stage": "mql", "reason": "Attended the webinar"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/leads/{lead.pk}/"
    lead.refresh_from_db()
    assert lead.stage == "mql"
    change = StageChange.objects.filter(lead=lead).latest("id")
    assert (change.actor, change.reason) == (marketer, "Attended the webinar")
    page = marketer_client.get(response["Location"])
    assert "is now MQL" in page.content.decode()


def test_an_illegal_move_is_refused_with_the_stage_machine_s_reason(marketer_client, marketer):
    lead = make_lead()
    lead_move(lead=lead, to_stage="sql", by=marketer)
    response = marketer_client.post(f"/leads/{lead.pk}/move/", {"to_stage": "mql"})
    assert response.status_code == 400
    assert b"A lead cannot move from SQL to MQL" in response.content
    assert b"is-invalid" in response.content
    lead.refresh_from_db()
    assert lead.stage == "sql"


def test_a_move_to_an_unknown_stage_is_refused(marketer_client):
    lead = make_lead()
    response = marketer_client.post(f"/leads/{lead.pk}/move/", {"to_stage": "hot"})
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content


def test_a_get_on_the_move_address_goes_back_to_the_lead(marketer_client):
    lead = make_lead()
    response = marketer_client.get(f"/leads/{lead.pk}/move/")
    assert response.status_code == 302
    assert response["Location"] == f"/leads/{lead.pk}/"


def test_an_outsider_cannot_move_a_lead(outsider_client):
    lead = make_lead()
    response = outsider_client.post(f"/leads/{lead.pk}/move/", {"to_stage": "mql"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.stage == "lead"
