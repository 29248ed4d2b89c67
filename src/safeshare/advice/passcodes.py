"""One-time passcodes for protection letters, and the keys that count failed sign-ins.

A passcode is twelve digits, printed in three groups of four. Digits are easy to read and type
on any keyboard; digits typed in another script (Arabic-Indic ٠١٢…, for example) are accepted.
Only a salted hash is stored (Django's ``make_password``: Argon2 in production).
"""

from __future__ import annotations

import secrets
import unicodedata
from functools import cache

from django.contrib.auth.hashers import check_password, make_password
from django.utils.crypto import salted_hmac

PASSCODE_DIGITS = 12
GROUP = 4


def new_passcode() -> str:
    """A fresh random passcode in display form, for example ``4821 0937 5562``."""
    digits = f"{secrets.randbelow(10**PASSCODE_DIGITS):0{PASSCODE_DIGITS}d}"
    return display_passcode(digits)


def display_passcode(digits: str) -> str:
    return " ".join(digits[i : i + GROUP] for i in range(0, len(digits), GROUP))


def normalise_passcode(text: str) -> str:
    """The digits of a typed passcode, in ASCII; spaces, hyphens and other marks are dropped."""
    digits = []
    for char in text:
        value = unicodedata.decimal(char, None)
        if value is not None:
            digits.append(str(value))
    return "".join(digits)


def hash_passcode(passcode: str) -> str:
    return make_password(normalise_passcode(passcode))


def passcode_matches(passcode: str, encoded: str | None) -> bool:
    """Check a typed passcode. With no stored hash, still spend the time a check takes."""
    digits = normalise_passcode(passcode)
    if not encoded:
        check_password(digits, _dummy_hash())
        return False
    if len(digits) != PASSCODE_DIGITS:
        check_password(digits, _dummy_hash())
        return False
    return check_password(digits, encoded)


@cache
def _dummy_hash() -> str:
    return make_password(secrets.token_hex(8))


def reference_key(normalised_reference: str) -> str:
    """A keyed hash of a typed reference, for counting wrong passcodes against it."""
    return salted_hmac(
        "safeshare.advice.reference", normalised_reference, algorithm="sha256"
    ).hexdigest()


def client_key(address: str) -> str:
    """A keyed hash of a network address, for limiting tries from one place."""
    return salted_hmac("safeshare.advice.client", address, algorithm="sha256").hexdigest()
