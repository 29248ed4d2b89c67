from django.apps import AppConfig

from safeshare.kernel import hooks


class CasesConfig(AppConfig):
    name = "safeshare.cases"
    label = "cases"

    def ready(self) -> None:
        from safeshare.cases import actions

        hooks.subscribe(hooks.PEOPLE_MERGED, actions.on_people_merged)
