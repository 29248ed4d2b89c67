"""The languages of the registry and what each catalogue holds."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.utils.translation import to_locale

LOCALE = Path(settings.LOCALE_PATHS[0])

# Languages whose translation is not finished: the tests of completeness are expected to fail
# for them (strictly: they fail the day the translation is finished, to be taken off this list).
UNFINISHED: dict[str, str] = {}


def registry() -> list[dict]:
    return list(settings.LANGUAGE_REGISTRY)


def translated_codes() -> list[str]:
    return [item["code"] for item in registry() if not item.get("source")]


def language_params():
    """Each translated language as a test parameter, expected to fail while unfinished."""
    import pytest

    return [
        pytest.param(
            code,
            marks=[pytest.mark.xfail(strict=True, reason=UNFINISHED[code])]
            if code in UNFINISHED
            else [],
            id=code,
        )
        for code in translated_codes()
    ]


def catalogue(code: str) -> dict[str, str]:
    """msgid -> msgstr of a language's .po file (the header and obsolete entries left out;
    plural entries give their first form)."""
    text = (LOCALE / to_locale(code) / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = {}
    for block in text.split("\n\n"):
        if "\n#~" in "\n" + block:
            continue
        parts = re.findall(r'^(msgid|msgstr(?:\[0\])?) ((?:".*"\n?)+)', block + "\n", re.M)
        values = {
            key.removesuffix("[0]"): "".join(re.findall(r'"(.*)"', value)) for key, value in parts
        }
        if values.get("msgid"):
            msgid = values["msgid"].replace('\\"', '"').replace("\\n", "\n")
            entries[msgid] = values.get("msgstr", "").replace('\\"', '"').replace("\\n", "\n")
    return entries


def message_ids() -> set[str]:
    """Every message id of every catalogue."""
    ids: set[str] = set()
    for code in translated_codes():
        ids |= set(catalogue(code))
    return ids
