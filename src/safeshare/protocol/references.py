"""Protection public references: unguessable, easy to read aloud, with a check character.

A reference looks like ``PR-7K3D-QX9M-2VHT-A``: twelve Crockford base32 characters (60 random
bits from ``secrets``) in groups of four, then one check character. The check character is a
weighted sum over GF(32) with weights that are successive powers of a primitive element, so it
catches every single-character error and every swap of two adjacent characters.

Input is forgiving in the way Crockford base32 is: lower case, spaces and hyphens are accepted,
``I`` and ``L`` are read as ``1`` and ``O`` as ``0``. ``U`` is not a Crockford character.
"""

from __future__ import annotations

import secrets

__all__ = [
    "ALPHABET",
    "DATA_LENGTH",
    "PREFIX",
    "ReferenceFormatError",
    "is_valid_reference",
    "new_reference",
    "normalise_reference",
]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "PR"
DATA_LENGTH = 12
GROUP = 4
_BITS = 5 * DATA_LENGTH
_VALUE = {char: index for index, char in enumerate(ALPHABET)}
_ALIASES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_MODULUS = 0b100101  # x^5 + x^2 + 1, a primitive polynomial over GF(2)


class ReferenceFormatError(ValueError):
    """Text that cannot be read as a protection reference."""


def new_reference() -> str:
    """A fresh, random protection reference in display form."""
    number = secrets.randbits(_BITS)
    data = "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(DATA_LENGTH)))
    return _display(data + _check_character(data))


def normalise_reference(text: str) -> str:
    """The display form of a reference typed or read aloud; ``ReferenceFormatError`` if malformed.

    The check character is not verified here: use ``is_valid_reference`` for that.
    """
    compact = "".join(text.split()).replace("-", "").upper().translate(_ALIASES)
    if len(compact) == len(PREFIX) + DATA_LENGTH + 1 and compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    if len(compact) != DATA_LENGTH + 1:
        raise ReferenceFormatError(
            f"A protection reference has {DATA_LENGTH + 1} characters after '{PREFIX}-'."
        )
    bad = sorted({char for char in compact if char not in _VALUE})
    if bad:
        raise ReferenceFormatError(
            "A protection reference cannot contain " + ", ".join(repr(c) for c in bad) + "."
        )
    return _display(compact)


def is_valid_reference(text: str) -> bool:
    """Whether ``text`` reads as a reference whose check character is right."""
    try:
        compact = normalise_reference(text)[len(PREFIX) + 1 :].replace("-", "")
    except ReferenceFormatError:
        return False
    return _check_character(compact[:-1]) == compact[-1]


def _display(compact: str) -> str:
    data, check = compact[:-1], compact[-1]
    groups = [data[i : i + GROUP] for i in range(0, len(data), GROUP)]
    return "-".join([PREFIX, *groups, check])


def _check_character(data: str) -> str:
    """Sum of alpha^(n - i) * value(data[i]) over GF(32), as a character.

    With the check character weighted by alpha^0 = 1, a valid reference sums to zero. A single
    error changes the sum by a non-zero multiple of a power of alpha; swapping neighbours with
    values a != b changes it by alpha^k * (a + b) * (alpha + 1), also non-zero.
    """
    total = 0
    weight = 1
    for char in reversed(data):
        weight = _multiply(weight, 2)
        total ^= _multiply(weight, _VALUE[char])
    return ALPHABET[total]


def _multiply(a: int, b: int) -> int:
    """Multiplication in GF(2^5) modulo x^5 + x^2 + 1."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        b >>= 1
        a <<= 1
        if a & 0b100000:
            a ^= _MODULUS
    return product
