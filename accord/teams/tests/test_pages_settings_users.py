import pytest

from accord.teams.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


NEW_PERSON = {
    "username": "nora",
    "first_name": "Nora",
    "last_name": "New",
    "email": "nora@example.com",
    "team": "sales",
    "role": "rep",
    "password": "A-long-pass-phrase-42",
}


def test_everyone_sees_the_people_read_only(marketer_client, admin_user):
    response = marketer_client.get("/settings/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ada Admin" in content and "Mia Marketer" in content
    assert "Add a person" not in content
    assert f"/settings/users/{admin_user.pk}/" not in content


def test_an_admin_sees_the_controls(admin_client, marketer):
    content = admin_client.get("/settings/").content.decode()
    assert "Add a person" in content
    assert f"/settings/users/{marketer.pk}/" in content


def test_an_admin_adds_a_person_who_can_log_in(admin_client, client):
    response = admin_client.post("/settings/users/new/", NEW_PERSON)
    assert response.status_code == 302
    nora = User.objects.get(username="nora")
    assert (nora.team, nora.role) == ("sales", "rep")
    assert nora.check_password("A-long-pass-phrase-42")


def test_a_weak_password_is_refused_next_to_it(admin_client):
    response = admin_client.post("/settings/users/new/", {**NEW_PERSON, "password": "123"})
    assert response.status_code == 400
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(username="nora").exists()


def test_a_taken_username_is_refused_next_to_it(admin_client, marketer):
    response = admin_client.post("/settings/users/new/", {**NEW_PERSON, "username": "mia"})
    assert response.status_code == 400
    assert "already exists" in response.context["form"].errors["username"][0]


def test_a_marketer_cannot_add_people(marketer_client):
    response = marketer_client.get("/settings/users/new/")
    assert response.status_code == 403
    assert b"Only an admin can add people" in response.content
    response = marketer_client.post("/settings/users/new/", NEW_PERSON)
    assert response.status_code == 403
    assert not User.objects.filter(username="nora").exists()


def test_an_admin_changes_a_person_s_team_role_and_access(admin_client, marketer):
    response = admin_client.post(
        f"/settings/users/{marketer.pk}/", {"team": "sales", "role": "head"}
    )
    assert response.status_code == 302
    marketer.refresh_from_db()
    assert (marketer.team, marketer.role, marketer.is_active) == ("sales", "head", False)


def test_an_admin_cannot_deactivate_themselves(admin_client, admin_user):
    response = admin_client.post(
        f"/settings/users/{admin_user.pk}/", {"team": "operations", "role": "admin"}
    )
    assert response.status_code == 400
    assert b"You cannot deactivate yourself" in response.content
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_a_rep_cannot_change_anyone(rep_client, marketer):
    response = rep_client.post(
        f"/settings/users/{marketer.pk}/", {"team": "sales", "role": "admin", "is_active": "on"}
    )
    assert response.status_code == 403
    marketer.refresh_from_db()
    assert marketer.role == "member"
