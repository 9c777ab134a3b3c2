from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accord.web.navigation import UPCOMING
from accord.web.selectors import home_summary


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"summary": home_summary(user=request.user)})


@login_required
def area(request: HttpRequest, slug: str) -> HttpResponse:
    """An area of the product that is not built yet says what it will hold."""
    upcoming = UPCOMING.get(slug)
    if upcoming is None:
        raise Http404("no such area")
    return render(request, "web/area.html", {"area": upcoming})
