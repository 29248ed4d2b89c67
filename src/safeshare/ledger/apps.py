from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "safeshare.ledger"
    label = "ledger"

    def ready(self) -> None:
        from safeshare.kernel import hooks
        from safeshare.ledger import actions
        from safeshare.ledger.audit import on_second_factor_reset

        hooks.subscribe(hooks.SECOND_FACTOR_RESET, on_second_factor_reset)
        hooks.subscribe(hooks.ADMINISTRATION_CHANGED, actions.on_administration_changed)
