from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "safeshare.idempotency"
    label = "idempotency"
