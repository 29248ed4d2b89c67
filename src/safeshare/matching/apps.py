from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "safeshare.matching"
    label = "matching"

    def ready(self) -> None:
        from safeshare.kernel.roles import Role
        from safeshare.web.navigation import register

        for role in (Role.IE_CASEWORKER, Role.IE_SENIOR_APPROVER):
            register(role, "Screen a caseload", "matching:sweep-new")
