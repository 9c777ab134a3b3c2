from django.apps import AppConfig


class FunnelConfig(AppConfig):
    name = "accord.funnel"
    label = "funnel"
