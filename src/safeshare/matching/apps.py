from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "safeshare.matching"
    label = "matching"
