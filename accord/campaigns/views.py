"""Campaign pages. (Being built.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("")


campaign_list = campaign_create = campaign_detail = campaign_edit = _todo
