from django.apps import AppConfig


class ProtocolConfig(AppConfig):
    name = "safeshare.protocol"
    label = "protocol"
