"""Dates as people write them in each language of the service: ``14 February 1992`` in English,
``1992年2月14日`` in Chinese, ``14 lutego 1992`` in Polish, ``14 de febrero de 1992`` in Spanish.

Django's own locale formats are not enough here: some languages have none (Tigrinya, Urdu and
Punjabi fall back to the American ``Feb. 14, 1992``), and a template's fixed ``j F Y`` puts a
Chinese month name between day and year (``14 二月 1992``). So each language of
``locale/languages.toml`` has its long-date pattern here, written from the language's own usage
(the Unicode CLDR long date forms), and takes its month names from the translation catalogues
(Django's, and SafeShare's for a language Django lacks, as for Tigrinya). Month names are written
in lower case where the language writes them so (Romanian, Albanian, Spanish, Portuguese), and
Polish uses the genitive (``lutego``) after a day, as Polish does.

Digits are the Western digits 0 to 9 in every language, as in the references, telephone
numbers and the rest of the service's text (docs/adr/0048).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from contextlib import nullcontext

from django.utils import timezone, translation
from django.utils.dates import MONTHS, MONTHS_ALT


class Pattern:
    """How one language writes a full date, a month and year, and a date with a time.

    ``{d}`` day, ``{m}`` month number, ``{month}`` month name (nominative), ``{month_of}``
    month name after a day (the genitive, where the language has one), ``{y}`` year."""

    def __init__(
        self,
        full: str = "{d} {month} {y}",
        month_year: str = "{month} {y}",
        year: str = "{y}",
        with_time: str = "{date}, {time}",
        lower: bool = False,
    ) -> None:
        self.full = full
        self.month_year = month_year
        self.year = year
        self.with_time = with_time
        self.lower = lower


PATTERNS: dict[str, Pattern] = {
    "en": Pattern(),
    "cy": Pattern(),
    "ar": Pattern(with_time="{date}، {time}"),
    "pl": Pattern(full="{d} {month_of} {y}", lower=True),
    "ro": Pattern(lower=True),
    "sq": Pattern(lower=True),
    "vi": Pattern(full="{d} tháng {m} năm {y}", month_year="tháng {m} năm {y}"),
    "bn": Pattern(full="{d} {month}, {y}", with_time="{date} {time}"),
    "ur": Pattern(full="{d} {month}، {y}", month_year="{month}، {y}", with_time="{date}، {time}"),
    "pa": Pattern(),
    "ti": Pattern(),
    "fa": Pattern(with_time="{date}، {time}"),
    "ckb": Pattern(with_time="{date}، {time}"),
    "zh-hans": Pattern(
        full="{y}年{m}月{d}日", month_year="{y}年{m}月", year="{y}年", with_time="{date} {time}"
    ),
    "es": Pattern(full="{d} de {month} de {y}", month_year="{month} de {y}", lower=True),
    "pt": Pattern(full="{d} de {month} de {y}", month_year="{month} de {y}", lower=True),
}


def pattern_for(language: str | None = None) -> Pattern:
    """The pattern of a language (the active one by default): its own, else its base
    language's (``en`` for ``en-gb``), else English."""
    code = (language or translation.get_language() or "en").lower().replace("_", "-")
    return PATTERNS.get(code) or PATTERNS.get(code.split("-")[0]) or PATTERNS["en"]


def _names(month: int, pattern: Pattern, language: str | None) -> tuple[str, str]:
    with translation.override(language) if language else nullcontext():
        # In Unicode's composed form (NFC): Django's Bengali names spell য় as one code point.
        name = unicodedata.normalize("NFC", str(MONTHS[month]))
        name_of = unicodedata.normalize("NFC", str(MONTHS_ALT[month]))
    if pattern.lower:
        name, name_of = name.lower(), name_of.lower()
    return name, name_of


def long_date(value: dt.date | dt.datetime, language: str | None = None) -> str:
    """A date in full in a language (the active one by default); a date and time is taken
    on its local day."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    pattern = pattern_for(language)
    name, name_of = _names(value.month, pattern, language)
    return pattern.full.format(
        d=value.day, m=value.month, y=value.year, month=name, month_of=name_of
    )


def long_date_time(value: dt.datetime, language: str | None = None) -> str:
    """A date in full and the time (24-hour clock, local time), in a language."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return pattern_for(language).with_time.format(
        date=long_date(value.date(), language), time=f"{value:%H:%M}"
    )


PARTIAL = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def date_in_words(value: object, language: str | None = None) -> str:
    """A date, or a date known in part (a date of birth stored as ``1991-03-14``, ``1991-03``
    or ``1991``), as people write it in a language. Anything else is shown as it is."""
    if isinstance(value, dt.date):
        return long_date(value, language)
    text = str(value or "")
    match = PARTIAL.fullmatch(text)
    if not match:
        return text
    year, month, day = match.groups()
    if month and not 1 <= int(month) <= 12:
        return text
    if day:
        try:
            return long_date(dt.date(int(year), int(month), int(day)), language)
        except ValueError:
            return text
    pattern = pattern_for(language)
    if month:
        name, _ = _names(int(month), pattern, language)
        return pattern.month_year.format(m=int(month), y=year, month=name)
    return pattern.year.format(y=year)
