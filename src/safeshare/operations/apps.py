from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "safeshare.operations"
    label = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from safeshare.operations import probes, signals

        signals.connect()
        probes.register_gauges()
