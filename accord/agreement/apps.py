from django.apps import AppConfig


class AgreementConfig(AppConfig):
    name = "accord.agreement"
    label = "agreement"
