from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "safeshare.web"
    label = "web"
    verbose_name = "Web"
