"""The languages victims can read SafeShare in, and whether each translation has been checked.

The list is data, one line per language in ``src/safeshare/locale/languages.toml`` (read by
settings as ``LANGUAGE_REGISTRY``); a translation is a ``.po`` file beside it. A language that no
qualified translator has reviewed is shown with the English beside it (ADR 0046).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils import translation

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
    """Every language in the registry, in its order (the order of ``settings.LANGUAGES``)."""
    languages = []
    for item in settings.LANGUAGE_REGISTRY:
        reviewed = bool(item["reviewed"])
        source = bool(item.get("source", False))
        if reviewed and not source and not (item.get("reviewed_by") and item.get("reviewed_on")):
            raise ValueError(
                f"languages.toml: {item['code']!r} is marked reviewed without reviewed_by "
                "and reviewed_on"
            )
        languages.append(
            Language(
                code=item["code"],
                name=item["name"],
                english_name=item["english_name"],
                reviewed=reviewed,
                source=source,
                note=item.get("note", ""),
                reviewed_by=item.get("reviewed_by", ""),
                reviewed_on=str(item.get("reviewed_on", "")),
            )
        )
    return tuple(languages)


def language_codes() -> tuple[str, ...]:
    return tuple(language.code for language in all_languages())


def get_language(code: str | None) -> Language:
    """The language for a code (``en-gb`` is English); English when the code is unknown."""
    wanted = (code or SOURCE_LANGUAGE).lower()
    for candidate in (wanted, wanted.split("-")[0]):  # zh-hans is itself; en-gb is en
        for language in all_languages():
            if language.code == candidate:
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


def in_english(build: Callable[[], dict[str, object]]) -> dict[str, object]:
    """The values ``build`` makes, made again in English when the active language awaits review
    (else nothing): the ``english_context`` that ``{% english_beside %}`` draws its copy from."""
    if not current_language().awaiting_review:
        return {}
    with translation.override(SOURCE_LANGUAGE):
        return build()
