from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "safeshare.cases"
    label = "cases"

    def ready(self) -> None:
        from safeshare.cases import actions
        from safeshare.kernel import hooks

        hooks.subscribe(hooks.PEOPLE_MERGED, actions.on_people_merged)
