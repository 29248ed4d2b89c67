"""The ledger's keyed-hash key: people appear in entries only as HMAC tokens under it."""

from __future__ import annotations

import functools
import secrets
from pathlib import Path

from django.conf import settings

from safeshare.ledger.entries import person_token, record_token
from safeshare.ledger.signing import write_secret_once

HMAC_KEY_ENV = "SAFESHARE_LEDGER_HMAC_KEY"
HMAC_KEY_FILE = "ledger_hmac_key"


@functools.cache
def hmac_key() -> bytes:
    """The key from the setting ``SAFESHARE_LEDGER_HMAC_KEY`` (hex, from the environment), or
    from ``var/`` where it is made on first use."""
    value = str(getattr(settings, HMAC_KEY_ENV, "") or "").strip()
    if value:
        return bytes.fromhex(value)
    path = Path(settings.VAR_DIR) / HMAC_KEY_FILE
    return bytes.fromhex(write_secret_once(path, secrets.token_hex(32)))


def token_for_person(public_id: object) -> str:
    """The keyed token that stands for a person in the ledger."""
    return person_token(hmac_key(), str(public_id))


def token_for_record(kind: str, record_id: object) -> str:
    """The keyed token that stands for a record (case, protection, clearance…) in the ledger."""
    return record_token(hmac_key(), kind, str(record_id))
