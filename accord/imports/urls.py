from django.urls import path

from accord.imports import views

urlpatterns = [
    path("", views.import_start, name="import_start"),
    path("history/", views.import_list, name="import_list"),
    path("<int:pk>/", views.import_detail, name="import_detail"),
    path("<int:pk>/map/", views.import_map, name="import_map"),
    path("<int:pk>/preview/", views.import_preview, name="import_preview"),
    path("<int:pk>/rejected-rows.csv", views.import_rejections, name="import_rejections"),
]
