"""The API at /api/v1/: mounts every app's router, authenticates, and shapes errors one way.

Every error body is ``{"detail": "...", "errors": {"field": ["message", ...]}}``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from accord.errors import AccordError
from accord.teams.services import token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer acc_…`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Accord API",
    version="1",
    description=(
        "One shared revenue funnel for marketing and sales. Authenticate with a personal API "
        "token (`Authorization: Bearer acc_…`, created under API tokens) or a browser session."
    ),
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
    docs_url="/docs",
)


def _error(
    request: HttpRequest, status: int, detail: str, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


@api.exception_handler(AccordError)
def on_accord_error(request: HttpRequest, exc: AccordError) -> HttpResponse:
    return _error(request, exc.status, exc.message, exc.fields)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        # loc is like ("body", "payload", "email"): drop the transport parts.
        loc = [
            str(p) for p in error.get("loc", ()) if p not in ("body", "payload", "query", "path")
        ]
        errors.setdefault(".".join(loc) or "payload", []).append(str(error.get("msg", "invalid")))
    return _error(request, 422, "the request is not valid", errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "authentication required: send a Bearer token or log in")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc))


def _mount() -> None:
    from accord.campaigns.api import router as campaigns_router
    from accord.funnel.api import router as funnel_router

    api.add_router("/", funnel_router)
    api.add_router("/", campaigns_router)


_mount()
