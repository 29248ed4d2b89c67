from django.apps import AppConfig


class AdviceConfig(AppConfig):
    name = "safeshare.advice"
    label = "advice"
    verbose_name = "Advice, letters and the victim's view"
