"""Small template helpers shared by every app's pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from accord.web.navigation import NavItem

register = template.Library()

TEAM_COLOURS = {
    "marketing": "purple",
    "sales": "blue",
    "leadership": "orange",
    "operations": "teal",
}
STAGE_COLOURS = {
    "lead": "secondary",
    "mql": "purple",
    "sal": "indigo",
    "sql": "blue",
    "opportunity": "orange",
    "customer": "green",
    "recycled": "yellow",
    "disqualified": "red",
}
STATUS_COLOURS = {"open": "blue", "won": "green", "lost": "red"}


@register.filter
def team_colour(team: str) -> str:
    return TEAM_COLOURS.get(team, "secondary")


@register.filter
def stage_colour(stage: str) -> str:
    return STAGE_COLOURS.get(stage, "secondary")


@register.filter
def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "secondary")


def _url(item: NavItem) -> str:
    try:
        return reverse(item.url_name, kwargs=item.kwargs or None)
    except NoReverseMatch:
        return "#"


@register.simple_tag
def nav_url(item: NavItem) -> str:
    return _url(item)


@register.filter
def nav_active(request: HttpRequest, item: NavItem) -> bool:
    urls = [_url(c) for c in item.children] if item.children else [_url(item)]
    path = request.path
    return any(u != "/" and u != "#" and path.startswith(u) for u in urls) or (
        path == "/" and urls == ["/"]
    )


@register.filter
def money(value: Any) -> str:
    if value in (None, ""):
        return "—"
    amount = Decimal(str(value))
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(settings.ACCORD_CURRENCY)
    text = f"{amount:,.0f}"
    return f"{symbol}{text}" if symbol else f"{text} {settings.ACCORD_CURRENCY}"


@register.simple_tag(takes_context=True)
def query_with(context: Any, **changes: Any) -> str:
    """The current query string with some parameters changed (None or "" removes one)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None
