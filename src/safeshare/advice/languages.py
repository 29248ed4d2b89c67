"""The languages victims can read SafeShare in, and whether each translation has been checked.

The list is data (``languages.toml``); a translation is a ``.po`` file in ``src/safeshare/locale``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import translation

LANGUAGES_FILE = Path(__file__).parent / "languages.toml"
SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Language:
    """A language, named in itself, with its text direction and review state."""

    code: str
    name: str
    english_name: str
    reviewed: bool
    source: bool = False
    note: str = ""
    reviewed_by: str = ""
    reviewed_on: str = ""

    @property
    def bidi(self) -> bool:
        return bool(translation.get_language_info(self.code)["bidi"])

    @property
    def direction(self) -> str:
        return "rtl" if self.bidi else "ltr"

    @property
    def awaiting_review(self) -> bool:
        return not self.source and not self.reviewed


@cache
def all_languages() -> tuple[Language, ...]:
    """Every language in ``languages.toml``, in file order. Each must be in settings."""
    data = tomllib.loads(LANGUAGES_FILE.read_text(encoding="utf-8"))
    known = {code for code, _ in settings.LANGUAGES}
    languages = []
    for item in data["languages"]:
        language = Language(
            code=item["code"],
            name=item["name"],
            english_name=item["english_name"],
            reviewed=bool(item["reviewed"]),
            source=bool(item.get("source", False)),
            note=item.get("note", ""),
            reviewed_by=item.get("reviewed_by", ""),
            reviewed_on=str(item.get("reviewed_on", "")),
        )
        if language.code not in known:
            raise ValueError(f"languages.toml: {language.code!r} is not in settings.LANGUAGES")
        languages.append(language)
    return tuple(languages)


def language_codes() -> tuple[str, ...]:
    return tuple(language.code for language in all_languages())


def get_language(code: str | None) -> Language:
    """The language for a code (``en-gb`` is English); English when the code is unknown."""
    base = (code or SOURCE_LANGUAGE).split("-")[0].lower()
    for language in all_languages():
        if language.code == base:
            return language
    return get_language(SOURCE_LANGUAGE)


def current_language() -> Language:
    """The language of the request or document being made now."""
    return get_language(translation.get_language())


def choices() -> list[tuple[str, str]]:
    """(code, "Native name (English name)") for forms staff fill in."""
    return [
        (
            language.code,
            language.name if language.source else f"{language.name} ({language.english_name})",
        )
        for language in all_languages()
    ]
