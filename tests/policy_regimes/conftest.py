"""Organisations, officers and a case for the policy-regime tests (the page tests' fixtures)."""

from tests.pages.conftest import (  # noqa: F401  (fixtures)
    caseworker,
    force,
    ie_unit,
    officer,
    protocol_officer,
)
