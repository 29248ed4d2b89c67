from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "safeshare.ledger"
    label = "ledger"
