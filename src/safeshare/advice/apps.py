from django.apps import AppConfig


class AdviceConfig(AppConfig):
    name = "safeshare.advice"
    label = "advice"
    verbose_name = "Advice, letters and the victim's view"

    def ready(self) -> None:
        from safeshare.accounts.roles import Role
        from safeshare.web.navigation import register

        register(Role.POLICE_OFFICER, "Letters and advice", "advice:start")
        register(Role.PROTOCOL_OFFICER, "Letters and advice", "advice:start")
