"""Normalisers for the non-name fields: partial dates of birth, nationality, documents, places."""

from __future__ import annotations

import re
from functools import lru_cache

from safeshare.kernel.countries import countries, nationality_words
from safeshare.matching.normalise import fold, fold_alnum

__all__ = [
    "NATIONALITY_NOT_STATED",
    "NATIONALITY_UNKNOWN",
    "PartialDate",
    "classify_nationality",
    "normalise_address",
    "normalise_document",
    "normalise_nationality",
    "normalise_postcode",
    "normalise_sex",
    "parse_date_of_birth",
]

PartialDate = tuple[int, int, int]
"""(year, month, day) with 0 for an unknown part; (0, 0, 0) when nothing is known."""

_ISO = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2}|xx|XX|\?\?)(?:[-/.](\d{1,2}|xx|XX|\?\?))?)?\s*$")
_DMY = re.compile(r"^\s*(\d{1,2}|xx|XX|\?\?)[-/. ](\d{1,2}|xx|XX|\?\?)[-/. ](\d{4})\s*$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")


def _int(part: str | None) -> int:
    return int(part) if part and part.isdigit() else 0


def parse_date_of_birth(text: str | None) -> PartialDate:
    """Parse ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (also ``YYYYMMDD`` and UK ``DD/MM/YYYY``).

    Unknown parts (``00``, ``XX``) become 0. A month above 12 with a day of 12 or less is read
    as day and month swapped. Anything unparseable is treated as unknown, never guessed.
    """
    if not text:
        return (0, 0, 0)
    match = _ISO.match(text) or _COMPACT.match(text)
    if match:
        year, month, day = _int(match[1]), _int(match[2]), _int(match[3])
    elif match := _DMY.match(text):
        year, month, day = _int(match[3]), _int(match[2]), _int(match[1])
    else:
        return (0, 0, 0)
    if not 1850 <= year <= 2200:
        return (0, 0, 0)
    if month > 12 and 1 <= day <= 12:
        month, day = day, month
    if not 0 <= month <= 12:
        month, day = 0, 0
    if not 0 <= day <= 31 or month == 0:
        day = 0
    return (year, month, day)


def format_date(date: PartialDate) -> str:
    """The canonical partial ISO form: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``""``."""
    year, month, day = date
    if not year:
        return ""
    if not month:
        return f"{year:04d}"
    if not day:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_canonical_date(text: str | None) -> PartialDate:
    """The inverse of ``format_date``: a stored canonical date, read without a regex."""
    if not text:
        return (0, 0, 0)
    parts = [int(part) for part in text.split("-")]
    parts += [0] * (3 - len(parts))
    return (parts[0], parts[1], parts[2])


def normalise_sex(text: str | None) -> str:
    """``f``, ``m`` or ``""`` (unknown, other or not stated: never guessed)."""
    value = fold(text)
    if value in ("f", "female", "woman", "w", "girl", "femme", "feminino", "femenino"):
        return "f"
    if value in ("m", "male", "man", "boy", "homme", "masculino"):
        return "m"
    return ""


@lru_cache(maxsize=1)
def _nationality_table() -> dict[str, str]:
    """Every name, code and word for a country (``kernel/countries.py``), folded."""
    table: dict[str, str] = {}
    for code, country in countries().items():
        for name in (country.name, *country.other_names, code):
            table[fold(name)] = code
    for word, code in nationality_words():
        table[fold(word)] = code
    return table


_NATIONALITY_NOISE = frozenset(
    ["national", "citizen", "nationality", "of", "the", "republic", "person"]
)


#: Warning kinds for a nationality that is kept but not normalised (machine-readable).
NATIONALITY_UNKNOWN = "nationality_unknown"  # free text naming no known country or status
NATIONALITY_NOT_STATED = "nationality_not_stated"  # "None", "Unknown", "N/A", ICAO XXX

# Words that say the nationality is not known. ICAO 9303 XXX is "unspecified nationality".
_NOT_STATED = frozenset(
    ["none", "unknown", "not known", "n a", "na", "nil", "not stated", "unspecified", "xxx", "-"]
)


@lru_cache(maxsize=4096)
def classify_nationality(text: str | None) -> tuple[str, str | None]:
    """``(normalised, warning kind or None)``. Never refuses a value.

    Known codes, names, demonyms and statuses (ISO alpha-2/alpha-3, ICAO 9303 XXA stateless,
    XXB/XXC refugee, the Kosovo codes XK/XKX/RKS/KOS, "Bidoon", "Palestinian", "Hong Kong",
    "Macau", …) give their code and no warning; "None", "Unknown" or XXX give ``""`` with
    ``nationality_not_stated``; other text (an origin with no state such as "Kurdish") is kept
    as ``?text`` with ``nationality_unknown``, so that two records with the same text agree.
    """
    key = fold(text)
    if not key:
        return "", None
    if key in _NOT_STATED:
        return "", NATIONALITY_NOT_STATED
    value = normalise_nationality(text)
    if value.startswith("?"):
        return value, NATIONALITY_UNKNOWN
    return value, None


@lru_cache(maxsize=4096)
def normalise_nationality(text: str | None) -> str:
    """ISO 3166-1 alpha-3 (or ICAO code) for a code, country name or adjective in any form.

    ``Pakistani``, ``PAK``, ``PK``, ``Pakistan`` and ``Pakistani national`` all give ``PAK``.
    Text that names no known country is kept folded behind ``?`` so that two records with the
    same free text still agree; empty input gives ``""``.
    """
    key = fold(text)
    if not key or key in _NOT_STATED:
        return ""
    table = _nationality_table()
    if key in table:
        return table[key]
    trimmed = " ".join(w for w in key.split() if w not in _NATIONALITY_NOISE)
    if trimmed in table:
        return table[trimmed]
    return "?" + (trimmed or key)


def normalise_document(text: str | None) -> str:
    """Document number as upper-case letters and digits only; a trailing ``/NNN`` suffix of a
    Home Office reference (dependant number) is dropped."""
    if not text:
        return ""
    head = text.split("/", 1)[0]
    return fold_alnum(head)


def normalise_postcode(text: str | None) -> str:
    """UK postcode without spaces, upper case (other countries' codes pass through folded)."""
    return fold_alnum(text)


def normalise_address(text: str | None) -> str:
    """Folded address with common street-type words abbreviated consistently."""
    words = fold(text).split()
    return " ".join(_STREET_WORDS.get(w, w) for w in words)


_STREET_WORDS = {
    "street": "st",
    "road": "rd",
    "avenue": "ave",
    "av": "ave",
    "lane": "ln",
    "close": "cl",
    "drive": "dr",
    "court": "ct",
    "place": "pl",
    "crescent": "cres",
    "gardens": "gdns",
    "terrace": "ter",
    "square": "sq",
    "flat": "flat",
    "apartment": "flat",
    "apt": "flat",
}
