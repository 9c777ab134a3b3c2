from django.urls import path

from accord.agreement import views

urlpatterns = [
    path("agreement/", views.agreement_current, name="agreement"),
    path("agreement/versions/", views.agreement_list, name="agreement_versions"),
    path("agreement/proposals/", views.proposal_list, name="proposals"),
    path("agreement/proposals/new/", views.proposal_create, name="proposal_create"),
    path("agreement/v<int:version>/", views.agreement_detail, name="agreement_detail"),
    path("agreement/v<int:version>/edit/", views.proposal_edit, name="proposal_edit"),
    path("agreement/v<int:version>/backtest/", views.proposal_backtest, name="proposal_backtest"),
    path("agreement/v<int:version>/sign/", views.proposal_sign, name="proposal_sign"),
    path("agreement/v<int:version>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("agreement/v<int:version>/comments/", views.proposal_comment, name="proposal_comment"),
    path("agreement/v<int:version>/print/", views.agreement_print, name="agreement_print"),
    path("agreement/v<int:version>/pdf/", views.agreement_pdf, name="agreement_pdf"),
    path("personas/", views.persona_list, name="personas"),
    path("personas/new/", views.persona_create, name="persona_create"),
    path("personas/<int:pk>/", views.persona_detail, name="persona_detail"),
    path("personas/<int:pk>/edit/", views.persona_edit, name="persona_edit"),
    path("scoring-models/", views.scoring_model_list, name="scoring_models"),
    path("scoring-models/in-force/", views.scoring_model_in_force, name="scoring_model_in_force"),
    path("scoring-models/v<int:version>/", views.scoring_model_detail, name="scoring_model_detail"),
    path("scoring-models/v<int:version>/fit-rules/", views.fit_rule_add, name="fit_rule_add"),
    path(
        "scoring-models/v<int:version>/engagement-rules/",
        views.engagement_rule_add,
        name="engagement_rule_add",
    ),
]
