import pytest

from accord.funnel.models import Lead
from accord.funnel.services import property_define

from .factories import make_account, make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def properties():
    property_define(entity="lead", label="Budget", type="number", by=None)
    property_define(entity="lead", label="Trial user", type="boolean", by=None)
    property_define(entity="lead", label="Renewal", type="date", by=None)


def test_the_form_has_an_input_per_declared_property_by_type(marketer_client, properties):
    content = marketer_client.get("/leads/new/").content.decode()
    assert 'type="number" name="prop_budget"' in content
    assert 'type="date" name="prop_renewal"' in content
    assert '<select name="prop_trial_user"' in content


def test_a_marketer_creates_a_lead_with_custom_properties(marketer_client, marketer, properties):
    acme = make_account(name="Acme")
    response = marketer_client.post(
        "/leads/new/",
        {
            "first_name": "Anna",
            "last_name": "Berg",
            "email": "Anna@Acme.example",
            "account": acme.pk,
            "owner": marketer.pk,
            "stage": "mql",
            "prop_budget": "12000",
            "prop_trial_user": "yes",
            "prop_renewal": "",
        },
    )
    lead = Lead.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/leads/{lead.pk}/"
    assert (lead.email, lead.account, lead.stage) == ("anna@acme.example", acme, "mql")
    assert lead.properties == {"budget": 12000, "trial_user": True}


def test_the_new_lead_form_preselects_the_account_it_came_from(marketer_client):
    acme = make_account(name="Acme Widgets")
    response = marketer_client.get(f"/leads/new/?account={acme.pk}")
    assert f'<option value="{acme.pk}" selected>Acme Widgets</option>'.encode() in response.content


def test_a_lead_without_email_or_external_id_is_refused_next_to_the_email(marketer_client):
    response = marketer_client.post("/leads/new/", {"first_name": "Nobody", "stage": "lead"})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["email"] == ["A lead needs an email or an external id"]
    assert not Lead.objects.exists()


def test_a_duplicate_email_is_refused_next_to_the_email(marketer_client):
    make_lead(email="taken@example.com")
    response = marketer_client.post("/leads/new/", {"email": "taken@example.com", "stage": "lead"})
    assert response.status_code == 400
    assert "already has this email" in response.context["form"].errors["email"][0]


def test_a_wrongly_typed_property_value_is_refused_next_to_its_input(marketer_client, properties):
    response = marketer_client.post(
        "/leads/new/", {"email": "a@example.com", "stage": "lead", "prop_renewal": "someday"}
    )
    assert response.status_code == 400
    assert "is not a date" in response.context["form"].errors["prop_renewal"][0]


def test_a_rep_edits_a_lead_and_clears_a_property(rep_client, properties):
    lead = make_lead(first_name="Old", properties={"budget": 5, "trial_user": False})
    page = rep_client.get(f"/leads/{lead.pk}/edit/")
    assert page.context["form"].initial["prop_trial_user"] == "no"
    response = rep_client.post(
        f"/leads/{lead.pk}/edit/",
        {"first_name": "New", "email": lead.email, "prop_budget": "", "prop_trial_user": "no"},
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.first_name == "New"
    assert lead.properties == {"trial_user": False}


def test_editing_does_not_offer_the_stage(rep_client):
    lead = make_lead()
    form = rep_client.get(f"/leads/{lead.pk}/edit/").context["form"]
    assert "stage" not in form.fields
