from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accord.web.navigation import NAVIGATION


def accord(request: HttpRequest) -> dict[str, Any]:
    return {
        "organisation": settings.ACCORD_ORGANISATION,
        "currency": settings.ACCORD_CURRENCY,
        "navigation": NAVIGATION,
    }
