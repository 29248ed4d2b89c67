"""The ledger's checkpoint-signing key, its origin and the verifier keys it publishes.

Each is a setting of the same name, read from the environment in ``settings.py``:

- ``SAFESHARE_LEDGER_ORIGIN``: the log's name, the first line of every checkpoint (default
  ``safeshare.example/ledger``).
- ``SAFESHARE_LEDGER_SIGNING_KEY``: the Ed25519 signer key as a note key string
  (``PRIVATE+KEY+<name>+<hash>+<key>``). Without it a key is generated into
  ``var/ledger_signing_key`` (mode 0600) on first use, named after the origin.
- ``SAFESHARE_LEDGER_VERIFIER_KEY``: the matching verifier key, for processes that publish and
  check checkpoints but never sign (the web servers); derived from the signing key if unset.
- ``SAFESHARE_LEDGER_OLD_VERIFIER_KEYS``: verifier keys retired by rotation (comma-separated in
  the environment), kept so that old checkpoints still verify.
- ``SAFESHARE_LEDGER_PREVIOUS_SIGNING_KEY``: during a rotation only, the old signer key; the next
  checkpoint is then signed by both keys (docs/ledger.md, "Key rotation").

Only the worker and ``safeshare ledger checkpoint`` sign; nothing on the request path does.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from pathlib import Path

from django.conf import settings

from safeshare.ledger.checkpoint import (
    SignerKey,
    VerifierKey,
    generate_signing_key,
    parse_signer_key,
    parse_verifier_key,
    signer_key_string,
)

ORIGIN_ENV = "SAFESHARE_LEDGER_ORIGIN"
SIGNING_KEY_ENV = "SAFESHARE_LEDGER_SIGNING_KEY"
VERIFIER_KEY_ENV = "SAFESHARE_LEDGER_VERIFIER_KEY"
OLD_VERIFIER_KEYS_ENV = "SAFESHARE_LEDGER_OLD_VERIFIER_KEYS"
PREVIOUS_SIGNING_KEY_ENV = "SAFESHARE_LEDGER_PREVIOUS_SIGNING_KEY"
SIGNING_KEY_FILE = "ledger_signing_key"
DEFAULT_ORIGIN = "safeshare.example/ledger"


def _setting(name: str) -> str:
    return str(getattr(settings, name, "") or "").strip()


def origin() -> str:
    """The log's origin line."""
    return _setting(ORIGIN_ENV) or DEFAULT_ORIGIN


def write_secret_once(path: Path, text: str) -> str:
    """Write ``text`` to ``path`` (mode 0600) unless it exists; return the file's content.

    The file appears complete or not at all (written aside, then linked into place), so two
    processes starting together agree on one secret.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(text + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return path.read_text(encoding="ascii").strip()


@functools.cache
def _signer_from(value: str | None, var_dir: str, log_origin: str) -> SignerKey:
    if value:
        return parse_signer_key(value)
    text = write_secret_once(
        Path(var_dir) / SIGNING_KEY_FILE, signer_key_string(log_origin, generate_signing_key())
    )
    return parse_signer_key(text)


def signing_key() -> SignerKey:
    """The key that signs checkpoints (from the environment, else ``var/``)."""
    return _signer_from(_setting(SIGNING_KEY_ENV) or None, str(settings.VAR_DIR), origin())


def previous_signing_key() -> SignerKey | None:
    """The retiring key that co-signs checkpoints during a rotation, if one is set."""
    value = _setting(PREVIOUS_SIGNING_KEY_ENV)
    return parse_signer_key(value) if value else None


def current_verifier_key() -> VerifierKey:
    """The verifier key of the current signing key."""
    value = _setting(VERIFIER_KEY_ENV)
    return parse_verifier_key(value) if value else signing_key().verifier


def old_verifier_keys() -> list[VerifierKey]:
    """Verifier keys retired by rotation (still trusted for the checkpoints they signed)."""
    value = getattr(settings, OLD_VERIFIER_KEYS_ENV, None) or []
    items = value.split(",") if isinstance(value, str) else value
    return [parse_verifier_key(item) for item in items if item.strip()]


def verifier_keys() -> list[VerifierKey]:
    """Every key a checkpoint of this log may be signed by: the current one first."""
    keys = [current_verifier_key()]
    previous = previous_signing_key()
    for key in [*([previous.verifier] if previous else []), *old_verifier_keys()]:
        if key.key_id not in {known.key_id for known in keys}:
            keys.append(key)
    return keys
