from django.apps import AppConfig


class ProtocolConfig(AppConfig):
    name = "safeshare.protocol"
    label = "protocol"

    def ready(self) -> None:
        from safeshare.accounts.roles import Role
        from safeshare.notifications.actions import on_delivered
        from safeshare.notifications.messages import Event
        from safeshare.protocol.outcomes import record_notice_delivered
        from safeshare.web.navigation import register

        on_delivered(Event.TRANSITION_NOTICE, record_notice_delivered)

        for role in (Role.IE_CASEWORKER, Role.IE_SENIOR_APPROVER):
            register(role, "Ask for a clearance", "protocol:clearance-new")
            register(role, "Your clearances", "protocol:clearance-list")
        register(Role.IE_SENIOR_APPROVER, "Overrides", "protocol:override-list")
        register(Role.PROTOCOL_OFFICER, "Possible matches", "protocol:review-list")
        register(Role.PROTOCOL_OFFICER, "Overrides", "protocol:override-list")
