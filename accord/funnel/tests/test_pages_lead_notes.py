import pytest

from accord.funnel.models import Note

from .factories import make_lead

pytestmark = pytest.mark.django_db


def test_a_rep_adds_a_note_that_shows_on_the_timeline(rep_client, sales_rep):
    lead = make_lead()
    response = rep_client.post(f"/leads/{lead.pk}/notes/", {"body": "Wants a call on Monday"})
    assert response.status_code == 302
    note = Note.objects.get(lead=lead)
    assert (note.author, note.body) == (sales_rep, "Wants a call on Monday")
    page = rep_client.get(f"/leads/{lead.pk}/")
    assert b"Wants a call on Monday" in page.content


def test_an_empty_note_is_refused_next_to_the_field(rep_client):
    lead = make_lead()
    response = rep_client.post(f"/leads/{lead.pk}/notes/", {"body": "   "})
    assert response.status_code == 400
    assert b"This field is required" in response.content
    assert not Note.objects.exists()
