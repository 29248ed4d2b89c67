"""The letter and the advice pack are PDFs drawn with the fonts installed on the server. A language
whose script no installed font covers comes out as empty boxes, which nobody can read: every
character of every translation must be in some installed font (Chinese needs fonts-noto-cjk)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import to_locale

LOCALE = Path(settings.LOCALE_PATHS[0])
TRANSLATED = [(code, name) for code, name in settings.LANGUAGES if code != "en"]


def installed_characters() -> set[int]:
    """Every code point that some font known to fontconfig can draw."""
    listing = subprocess.run(
        ["fc-list", "--format", "%{charset}\n"], capture_output=True, text=True, check=True
    ).stdout
    covered: set[int] = set()
    for item in listing.split():
        first, _, last = item.partition("-")
        covered.update(range(int(first, 16), int(last or first, 16) + 1))
    return covered


def translated_text(code: str) -> str:
    po = LOCALE / to_locale(code) / "LC_MESSAGES" / "django.po"
    text = po.read_text(encoding="utf-8")
    values = re.findall(r'^msgstr ((?:".*"\n?)+)', text, re.M)
    return "".join("".join(re.findall(r'"(.*)"', value)) for value in values)


@pytest.fixture(scope="module")
def covered() -> set[int]:
    return installed_characters()


@pytest.mark.parametrize(("code", "name"), TRANSLATED)
def test_every_character_of_a_translation_has_a_font(covered, code, name):
    characters = {c for c in translated_text(code) + name if not c.isspace()}
    missing = sorted(c for c in characters if ord(c) not in covered)
    sample = "".join(missing[:10])
    assert not missing, f"No installed font draws {len(missing)} characters of {code}: {sample}"
