from django.apps import AppConfig

from safeshare.kernel import hooks


class OversightConfig(AppConfig):
    name = "safeshare.oversight"
    label = "oversight"

    def ready(self) -> None:
        from safeshare.oversight import webhooks

        hooks.subscribe(hooks.ALERT_RAISED, webhooks.raise_alert)
