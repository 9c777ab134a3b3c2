from django.urls import path

from accord.imports import views

urlpatterns = [
    path("", views.import_start, name="import_start"),
]
