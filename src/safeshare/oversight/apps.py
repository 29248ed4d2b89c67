from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "safeshare.oversight"
    label = "oversight"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from safeshare.accounts.roles import Role
        from safeshare.oversight.models import Alert
        from safeshare.oversight.webhooks import on_alert_saved
        from safeshare.web.navigation import register

        post_save.connect(on_alert_saved, sender=Alert, dispatch_uid="oversight-alert-webhook")
        for label, url_name in (
            ("Statistics", "oversight:dashboard"),
            ("Alerts", "oversight:alerts"),
            ("Policy comparison", "oversight:comparison"),
            ("Ledger", "oversight:ledger"),
        ):
            register(Role.OVERSIGHT_ANALYST, label, url_name)
