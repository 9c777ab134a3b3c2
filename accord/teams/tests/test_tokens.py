import pytest

from accord.teams.models import ApiToken, hash_token
from accord.teams.services import TeamsError, token_authenticate, token_create, token_revoke

pytestmark = pytest.mark.django_db


def test_it_stores_only_the_hash_of_a_new_token(marketer):
    token, raw = token_create(user=marketer, name="sync script")
    assert raw.startswith("acc_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hash_token(raw)
    assert raw not in {stored.key_hash, stored.hint, stored.name}


def test_a_token_authenticates_its_user_until_revoked(marketer):
    token, raw = token_create(user=marketer, name="sync")
    assert token_authenticate(raw=raw) == marketer
    token_revoke(token=token, by=marketer)
    assert token_authenticate(raw=raw) is None


def test_an_unknown_token_authenticates_nobody(marketer):
    token_create(user=marketer, name="sync")
    assert token_authenticate(raw="acc_not-a-real-token") is None


def test_a_deactivated_users_token_stops_working(marketer):
    _, raw = token_create(user=marketer, name="sync")
    marketer.is_active = False
    marketer.save()
    assert token_authenticate(raw=raw) is None


def test_nobody_else_can_revoke_my_token_but_an_admin_can(marketer, sales_rep, admin_user):
    token, _ = token_create(user=marketer, name="sync")
    with pytest.raises(TeamsError, match="only revoke your own"):
        token_revoke(token=token, by=sales_rep)
    token_revoke(token=token, by=admin_user)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_token_needs_a_name(marketer):
    with pytest.raises(TeamsError, match="give the token a name"):
        token_create(user=marketer, name="  ")
