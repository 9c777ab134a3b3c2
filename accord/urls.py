from django.contrib import admin
from django.urls import include, path

from accord.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("accord.teams.urls")),
    path("", include("accord.funnel.urls")),
    path("", include("accord.campaigns.urls")),
    path("", include("accord.agreement.urls")),
    path("import/", include("accord.imports.urls")),
    path("", include("accord.web.urls")),
]
