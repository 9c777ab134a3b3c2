"""The import wizard. (Being built.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def import_start(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
