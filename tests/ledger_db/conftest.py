"""Fixtures for the ledger's database tests: a fresh signing key per test, and a writer."""

from __future__ import annotations

import pytest

from safeshare.ledger.checkpoint import generate_signing_key, signer_key_string
from safeshare.ledger.signing import (
    OLD_VERIFIER_KEYS_ENV,
    ORIGIN_ENV,
    PREVIOUS_SIGNING_KEY_ENV,
    SIGNING_KEY_ENV,
    VERIFIER_KEY_ENV,
)
from tests.ledger_db.support import ORIGIN


@pytest.fixture(autouse=True)
def signing_key(settings) -> str:
    """A signer key of this test's own, in the settings (as production sets it)."""
    key = signer_key_string(ORIGIN, generate_signing_key())
    setattr(settings, ORIGIN_ENV, ORIGIN)
    setattr(settings, SIGNING_KEY_ENV, key)
    for name in (VERIFIER_KEY_ENV, PREVIOUS_SIGNING_KEY_ENV):
        setattr(settings, name, "")
    setattr(settings, OLD_VERIFIER_KEYS_ENV, [])
    return key
