import pytest

from accord.funnel.models import Account
from accord.funnel.services import property_define

from .factories import make_account, make_deal, make_lead

pytestmark = pytest.mark.django_db


def test_the_account_list_filters_by_segment_and_target(marketer_client):
    make_account(name="Big Target", segment="enterprise", is_target=True)
    make_account(name="Big Other", segment="enterprise")
    make_account(name="Small", segment="smb", is_target=True)
    response = marketer_client.get("/accounts/?segment=enterprise&is_target=yes")
    assert [a.name for a in response.context["listing"].items] == ["Big Target"]


def test_the_account_list_searches_names_and_domains(marketer_client):
    make_account(name="Acme", domain="acme.example")
    make_account(name="Globex", domain="globex.example")
    response = marketer_client.get("/accounts/?q=globex.ex")
    assert [a.name for a in response.context["listing"].items] == ["Globex"]


def test_the_account_list_has_an_empty_state(marketer_client):
    assert b"No accounts yet" in marketer_client.get("/accounts/").content


def test_an_account_shows_its_fields_leads_and_deals(marketer_client):
    property_define(entity="account", label="Renewal date", type="date", by=None)
    acme = make_account(
        name="Acme", industry="Software", employees=1200, properties={"renewal_date": "2026-03-01"}
    )
    make_lead(first_name="Anna", last_name="Berg", account=acme)
    make_deal(name="Acme platform", account=acme)
    response = marketer_client.get(f"/accounts/{acme.pk}/")
    content = response.content.decode()
    for text in (
        "Acme",
        "Software",
        "1,200",
        "Renewal date",
        "2026-03-01",
        "Anna Berg",
        "Acme platform",
    ):
        assert text in content
    assert f'href="/leads/?account={acme.pk}"' in content


def test_a_marketer_creates_an_account(marketer_client):
    response = marketer_client.post(
        "/accounts/new/",
        {
            "name": "Initech",
            "domain": "https://www.initech.example/",
            "segment": "smb",
            "is_target": "on",
        },
    )
    account = Account.objects.get()
    assert response["Location"] == f"/accounts/{account.pk}/"
    assert (account.domain, account.segment, account.is_target) == ("initech.example", "smb", True)


def test_an_account_needs_a_name(marketer_client):
    response = marketer_client.post("/accounts/new/", {"name": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["This field is required."]


def test_a_taken_domain_is_refused_next_to_the_domain(marketer_client):
    make_account(name="Acme", domain="acme.example")
    response = marketer_client.post("/accounts/new/", {"name": "Acme 2", "domain": "acme.example"})
    assert response.status_code == 400
    assert "already has this domain" in response.context["form"].errors["domain"][0]


def test_a_marketer_edits_an_account(marketer_client):
    acme = make_account(name="Acme", employees=10)
    response = marketer_client.post(
        f"/accounts/{acme.pk}/edit/",
        {"name": "Acme Group", "employees": "250", "domain": acme.domain},
    )
    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.name, acme.employees) == ("Acme Group", 250)


def test_the_account_picker_finds_accounts_by_name(marketer_client):
    make_account(name="Acme Widgets")
    make_account(name="Globex")
    response = marketer_client.get("/accounts/options/?q=widg")
    content = response.content.decode()
    assert "Acme Widgets" in content and "Globex" not in content
    assert " selected>Acme Widgets" in content


def test_the_leads_list_opened_from_an_account_says_so_and_shows_its_leads(marketer_client):
    acme = make_account(name="Acme")
    make_lead(first_name="Anna", account=acme)
    make_lead(first_name="Elsewhere")
    response = marketer_client.get(f"/leads/?account={acme.pk}")
    assert [lead.first_name for lead in response.context["listing"].items] == ["Anna"]
    assert b"At Acme" in response.content
    assert response.context["account_clear_url"] == "/leads/"
