"""Moved to ``tests.support.factories.cases``; kept so existing imports still work."""

from tests.support.factories.cases import CaseFactory, PartyFactory  # noqa: F401
