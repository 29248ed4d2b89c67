from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "safeshare.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from safeshare.accounts.roles import Role
        from safeshare.web.navigation import register

        register(Role.PROTOCOL_OFFICER, "Notices", "notifications:list")
        for role in (
            Role.POLICE_OFFICER,
            Role.PROTOCOL_OFFICER,
            Role.IE_CASEWORKER,
            Role.IE_SENIOR_APPROVER,
        ):
            register(role, "Messages", "notifications:messages")
