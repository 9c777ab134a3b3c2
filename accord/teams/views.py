"""Settings pages for people, teams and API tokens. (Being built.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("")


settings_users = settings_user_edit = settings_user_create = settings_teams = _todo
settings_tokens = settings_token_revoke = _todo
