"""Pages for leads, accounts and deals. (Being built.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("")


lead_list = lead_create = lead_detail = lead_edit = lead_move = lead_note = _todo
account_list = account_create = account_detail = account_edit = _todo
deal_list = deal_create = deal_detail = deal_edit = deal_win = deal_lose = deal_reopen = _todo
property_list = pipeline_settings = _todo
