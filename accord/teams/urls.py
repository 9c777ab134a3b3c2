from django.contrib.auth import views as auth_views
from django.urls import path

from accord.teams import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("settings/", views.settings_users, name="settings_users"),
    path("settings/users/<int:pk>/", views.settings_user_edit, name="settings_user_edit"),
    path("settings/users/new/", views.settings_user_create, name="settings_user_create"),
    path("settings/teams/", views.settings_teams, name="settings_teams"),
    path("settings/tokens/", views.settings_tokens, name="settings_tokens"),
    path(
        "settings/tokens/<int:pk>/revoke/",
        views.settings_token_revoke,
        name="settings_token_revoke",
    ),
]
