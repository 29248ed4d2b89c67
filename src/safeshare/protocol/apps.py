from django.apps import AppConfig

from safeshare.kernel import hooks, policy
from safeshare.protocol.active import active_policy


class ProtocolConfig(AppConfig):
    name = "safeshare.protocol"
    label = "protocol"

    def ready(self) -> None:
        from safeshare.notifications.actions import on_delivered
        from safeshare.notifications.messages import Event
        from safeshare.protocol import actions, outcomes

        policy.provide(active_policy)

        hooks.subscribe(hooks.PARTY_ADDED, actions.on_party_added)
        hooks.subscribe(hooks.CASE_EVENT_RECORDED, actions.on_case_event_recorded)
        hooks.subscribe(hooks.CASE_EVENT_RECORDED, outcomes.on_case_event_for_notices)
        hooks.subscribe(hooks.IDENTITY_ADDED, actions.on_identity_added)
        hooks.subscribe(hooks.PEOPLE_MERGED, actions.on_people_merged)
        on_delivered(Event.TRANSITION_NOTICE, actions.record_notice_delivered)
