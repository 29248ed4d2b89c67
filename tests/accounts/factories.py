"""Moved to ``tests.support.factories.accounts``; kept so existing imports still work."""

from tests.support.factories.accounts import (  # noqa: F401
    DEFAULT_PASSWORD,
    ORG_KIND_FOR_ROLE,
    OrganisationFactory,
    make_user,
    organisation,
    organisation_for,
)
