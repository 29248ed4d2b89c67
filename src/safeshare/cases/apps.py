from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "safeshare.cases"
    label = "cases"

    def ready(self) -> None:
        from safeshare.accounts.roles import Role
        from safeshare.web.navigation import register

        register(Role.POLICE_OFFICER, "Cases", "cases:list")
        register(Role.POLICE_OFFICER, "Refused referrals", "referrals:refused")
        register(Role.POLICE_OFFICER, "Record a case", "cases:create")
