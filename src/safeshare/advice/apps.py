from django.apps import AppConfig


class AdviceConfig(AppConfig):
    name = "safeshare.advice"
    label = "advice"
    verbose_name = "Advice, letters and the victim's view"

    def ready(self) -> None:
        from safeshare.advice.notice_reach import reach_from_advice
        from safeshare.notifications.actions import provide_fallback_reach

        provide_fallback_reach(reach_from_advice)
