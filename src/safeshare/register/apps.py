from django.apps import AppConfig


class RegisterConfig(AppConfig):
    """The register of protected identities, its imports and IE's sweeps.

    The label stays ``matching`` (the app's name before the pure engine and the Django app
    were separated): the tables (``matching_*``), the migration history, content types and
    URL names carry on unchanged. See docs/adr/0012-register-app-and-resident-index.md.
    """

    name = "safeshare.register"
    label = "matching"
    verbose_name = "Register of protected identities"

    def ready(self) -> None:
        from safeshare.kernel import matching
        from safeshare.register.service import index_identity, match_subject

        matching.provide(match_subject, index_identity)
