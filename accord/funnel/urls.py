from django.urls import path

from accord.funnel import views

urlpatterns = [
    path("leads/", views.lead_list, name="leads"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/edit/", views.lead_edit, name="lead_edit"),
    path("leads/<int:pk>/move/", views.lead_move, name="lead_move"),
    path("leads/<int:pk>/notes/", views.lead_note, name="lead_note"),
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="account_edit"),
    path("deals/", views.deal_list, name="deals"),
    path("deals/new/", views.deal_create, name="deal_create"),
    path("deals/<int:pk>/", views.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/edit/", views.deal_edit, name="deal_edit"),
    path("deals/<int:pk>/win/", views.deal_win, name="deal_win"),
    path("deals/<int:pk>/lose/", views.deal_lose, name="deal_lose"),
    path("deals/<int:pk>/reopen/", views.deal_reopen, name="deal_reopen"),
    path("deals/<int:pk>/stage/", views.deal_stage, name="deal_stage"),
    path("accounts/options/", views.account_options, name="account_options"),
    path("leads/options/", views.lead_options, name="lead_options"),
    path("settings/properties/", views.property_list, name="settings_properties"),
    path("settings/pipeline/", views.pipeline_settings, name="settings_pipeline"),
]
