from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "safeshare.ledger"
    label = "ledger"

    def ready(self) -> None:
        from safeshare.kernel import hooks
        from safeshare.ledger import actions

        hooks.subscribe(hooks.ADMINISTRATION_CHANGED, actions.on_administration_changed)
