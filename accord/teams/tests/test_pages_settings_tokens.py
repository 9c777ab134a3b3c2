import pytest

from accord.teams.models import ApiToken, hash_token
from accord.teams.services import token_create

pytestmark = pytest.mark.django_db


def test_a_marketer_creates_a_token_shown_once(marketer_client, marketer):
    response = marketer_client.post("/settings/tokens/", {"name": "Website form"})
    assert response.status_code == 200
    raw = response.context["created"][1]
    assert raw.startswith("acc_")
    assert raw.encode() in response.content
    assert b"shown this once" in response.content
    token = ApiToken.objects.get(user=marketer)
    assert token.key_hash == hash_token(raw)
    again = marketer_client.get("/settings/tokens/")
    assert raw.encode() not in again.content
    assert b"Website form" in again.content


def test_a_token_needs_a_name(marketer_client):
    response = marketer_client.post("/settings/tokens/", {"name": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_people_see_only_their_own_tokens_and_admins_see_all(
    marketer_client, marketer, sales_rep, admin_user, client
):
    token_create(user=marketer, name="Mine")
    token_create(user=sales_rep, name="Rory's script")
    content = marketer_client.get("/settings/tokens/").content.decode()
    assert "Mine" in content and "Rory&#x27;s script" not in content
    client.force_login(admin_user)
    content = client.get("/settings/tokens/").content.decode()
    assert "Mine" in content and "Rory&#x27;s script" in content


def test_a_marketer_revokes_their_token(marketer_client, marketer):
    token, _ = token_create(user=marketer, name="Old script")
    response = marketer_client.post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_someone_else_s_token(rep_client, marketer):
    token, _ = token_create(user=marketer, name="Mia's")
    response = rep_client.post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 403
    assert b"You can only revoke your own tokens" in response.content
    token.refresh_from_db()
    assert token.revoked_at is None
