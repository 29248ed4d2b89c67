from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "safeshare.oversight"
    label = "oversight"
