from django.apps import AppConfig


class CommandsConfig(AppConfig):
    name = "safeshare.commands"
    label = "commands"
