"""The API at /api/v1/: mounts every app's router, authenticates, and shapes errors one way.

Every error body is ``{"detail": "...", "errors": {"field": ["message", ...]}}``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Router, Schema, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from pydantic import Field

from accord.errors import AccordError
from accord.teams.services import token_authenticate

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer acc_…`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's login session (the UI's own calls). Writes need the CSRF token.

    Unlike Ninja's stock ``django_auth`` this checks CSRF only for a signed-in session, so a
    request that is not signed in at all gets 401, not a CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user


class ErrorOut(Schema):
    """Every 4xx and 5xx body."""

    detail: str = Field(description="What went wrong, in one sentence.")
    errors: dict[str, list[str]] = Field(
        description="Messages by field name (a body field, a query parameter, or "
        "`touches.3.kind` for an item of a list). Empty when no particular field is at fault."
    )


# Error responses every operation documents, added once here rather than on each endpoint.
_ERRORS = {
    "400": "The request was understood but refused (a rule of the record, a bad filter).",
    "401": "Not authenticated: send `Authorization: Bearer acc_…` or log in.",
    "403": "Authenticated, but not allowed (or a session call without its CSRF token).",
    "404": "No record with this id.",
    "409": "Clashes with the current state: a duplicate, or a move the stage machine refuses.",
    "422": "The request does not match its schema (types, required or unknown fields).",
}


class AccordNinjaAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Function names are unique across the routers: ids read `list_leads`, `win_deal`.
        return operation.view_func.__name__

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["Error"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for path, methods in schema["paths"].items():
            for method, operation in methods.items():
                codes = ["400", "401", "403", "422"]
                if "{" in path:
                    codes.append("404")
                if method in ("post", "patch", "delete"):
                    codes.append("409")
                for code in codes:
                    operation["responses"].setdefault(
                        code, {"description": _ERRORS[code], "content": error}
                    )
        return schema


api = AccordNinjaAPI(
    title="Accord API",
    version="1",
    description=(
        "One shared revenue funnel for marketing and sales. Authenticate with a personal API "
        "token (`Authorization: Bearer acc_…`, created under Settings → API tokens or with "
        "`POST /api/v1/tokens`) or a browser session. Errors are JSON "
        '`{"detail": "…", "errors": {"field": ["message"]}}`. Lists are paged with a cursor: '
        "pass the `next_cursor` of one page as `cursor` to get the next."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    # Swagger UI from Ninja's bundled static files; no validator badge fetched from the web.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": True}),
)


def _error(
    request: HttpRequest, status: int, detail: str, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


@api.exception_handler(AccordError)
def on_accord_error(request: HttpRequest, exc: AccordError) -> HttpResponse:
    return _error(request, exc.status, exc.message, exc.fields)


# Where the request parts of a location end: ("body", "payload", "email") → "email".
_TRANSPORT = ("body", "query", "path", "header", "cookie", "form")
_PARAM_NAMES = ("payload", "params")
_MESSAGES = {
    "extra_forbidden": "unknown field",
    "missing": "required",
    "json_invalid": "not valid JSON",
}


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = list(loc)
    where = str(parts.pop(0)) if parts and parts[0] in _TRANSPORT else "body"
    if parts and parts[0] in _PARAM_NAMES:
        parts.pop(0)
    return ".".join(str(p) for p in parts) or where


def _message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    msg = str(error.get("msg", "not valid"))
    return msg.removeprefix("Value error, ")


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_of(error.get("loc", ())), []).append(_message(error))
    fields = ", ".join(errors)
    return _error(request, 422, f"the request is not valid: check {fields}", errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    if request.headers.get("Authorization"):
        detail = "the API token is not valid: it may be mistyped or revoked"
    else:
        detail = "authentication required: send a Bearer token or log in"
    return _error(request, 401, detail)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = str(exc)
    if exc.status_code == 403 and "CSRF" in detail:
        detail = "CSRF check failed: session calls that write must send the X-CSRFToken header"
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        return _error(request, 400, "the body is not valid JSON", {"body": ["not valid JSON"]})
    return _error(request, exc.status_code, detail)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, str(exc) or "not found")


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _error(request, 413, f"the request body is larger than {limit} bytes; send less")


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A bug, not a user mistake: log it with its traceback, answer in the usual shape.
    logger.exception("API error on %s %s", request.method, request.path)
    return _error(request, 500, "internal error; it has been logged")


# Mounted last, so it only sees paths no endpoint took: they get the JSON shape too, not HTML.
_unknown = Router()


@_unknown.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False, auth=None
)
def unknown_endpoint(request: HttpRequest, rest: str) -> None:
    raise Http404(f"no API endpoint {request.method} {request.path}; see /api/v1/docs")


def _mount() -> None:
    from accord.agreement.api import router as agreement_router
    from accord.campaigns.api import router as campaigns_router
    from accord.funnel.api import router as funnel_router
    from accord.scoring.api import router as scoring_router
    from accord.teams.api import router as teams_router

    api.add_router("/", funnel_router)
    api.add_router("/", campaigns_router)
    api.add_router("/", teams_router)
    api.add_router("/", agreement_router)
    api.add_router("/", scoring_router)
    api.add_router("/", _unknown)


_mount()
