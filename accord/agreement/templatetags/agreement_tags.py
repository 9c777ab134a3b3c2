"""Template helpers of the agreement pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

STATUS_COLOURS = {
    "draft": "yellow",
    "in_force": "green",
    "archived": "secondary",
    "withdrawn": "red",
}


@register.filter
def percent(value: Any) -> str:
    """A share (0-1) as a whole percentage; a dash when there is nothing to divide."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.0f} %"


@register.filter
def agreement_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "secondary")


@register.filter
def signed_points(value: Any) -> str:
    """Points with their sign: +30, -40."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value)
    return f"+{number}" if number > 0 else f"-{abs(number)}" if number < 0 else "0"
