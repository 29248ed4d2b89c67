"""Countries and the words people write for a nationality: one list for the whole service.

The countries are ISO 3166-1 (from ``pycountry``) and the ICAO 9303 codes that travel documents
use where ISO has none: XKX (Kosovo), XXA (stateless person), XXB (refugee under the 1951
Convention) and XXC (other refugee). ``data/nationalities.tsv`` adds what people write instead
of a country's name: adjectives ("Afghan"), informal names ("Kosova") and other codes ("RKS").

The matching engine folds these words into its lookup (``matching/fields.py``); pages show a
code as ``country_name(code)``. Nothing else lists countries.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import pycountry


@dataclass(frozen=True)
class Country:
    code: str
    """ISO 3166-1 alpha-3, or an ICAO 9303 code for what ISO lacks."""
    name: str
    """The name to show people."""
    other_names: tuple[str, ...] = ()
    """Official and common names, and the alpha-2 code where there is one."""


ICAO_CODES: tuple[Country, ...] = (
    Country("XKX", "Kosovo", ("Republic of Kosovo", "XK")),
    Country("XXA", "Stateless person"),
    Country("XXB", "Refugee (1951 Convention)"),
    Country("XXC", "Refugee (other)"),
)
"""Codes that travel documents use (ICAO 9303 part 3) and ISO 3166-1 does not have."""


@cache
def countries() -> dict[str, Country]:
    """Every known code, with its names."""
    table: dict[str, Country] = {}
    for entry in pycountry.countries:
        others = [
            value
            for attr in ("official_name", "common_name")
            if (value := getattr(entry, attr, None)) and value != entry.name
        ]
        others.append(entry.alpha_2)
        shown = getattr(entry, "common_name", None) or entry.name
        names = tuple(dict.fromkeys([entry.name, *others]))
        table[entry.alpha_3] = Country(entry.alpha_3, shown, tuple(n for n in names if n != shown))
    for country in ICAO_CODES:
        table[country.code] = country
    return table


def country_name(code: str) -> str:
    """The name to show for a code; an unknown code is shown as it is."""
    country = countries().get(code.upper()) if code else None
    return country.name if country else code


@cache
def nationality_words() -> tuple[tuple[str, str], ...]:
    """``(word, code)``: what people write instead of a country's name."""
    text = resources.files("safeshare.kernel").joinpath("data/nationalities.tsv").read_text()
    words: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, code = line.split("\t")
        words.append((word, code.strip()))
    return tuple(words)
