"""Languages: one translation file each, Welsh complete, placeholders kept, review state shown,
the route data listed for translators, and route text falling back to English honestly."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from safeshare.advice import languages
from safeshare.advice.route_text import (
    GENERATED_FILE,
    data_texts,
    generated_module_source,
    translate_data_text,
)

LOCALE = Path(settings.LOCALE_PATHS[0])
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def catalogue(code: str) -> dict[str, str]:
    """msgid -> msgstr of a .po file (the header left out)."""
    text = (LOCALE / code / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = {}
    for block in text.split("\n\n"):
        if "\n#~" in "\n" + block:
            continue
        parts = re.findall(r'^(msgid|msgstr) ((?:".*"\n?)+)', block + "\n", re.M)
        values = {key: "".join(re.findall(r'"(.*)"', value)) for key, value in parts}
        if values.get("msgid"):
            entries[values["msgid"].replace('\\"', '"')] = values.get("msgstr", "")
    return entries


def interface_messages(code: str) -> dict[str, str]:
    data = {text.replace("\n", "\\n") for text in data_texts()}
    return {msgid: msgstr for msgid, msgstr in catalogue(code).items() if msgid not in data}


def test_every_language_in_settings_is_described_and_back():
    assert [language.code for language in languages.all_languages()] == [
        code for code, _ in settings.LANGUAGES
    ]
    assert languages.get_language("en-gb").source
    assert languages.get_language("ar").direction == "rtl"
    assert languages.get_language("xx").code == "en"


@pytest.mark.parametrize("code", TRANSLATED)
def test_each_language_is_a_translation_file_that_compiles(code, tmp_path):
    po = LOCALE / code / "LC_MESSAGES" / "django.po"
    assert po.exists()
    subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(po)], check=True)
    assert (LOCALE / code / "LC_MESSAGES" / "django.mo").exists()


def test_welsh_is_complete():
    missing = [msgid for msgid, msgstr in interface_messages("cy").items() if not msgstr]
    assert missing == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_victims_pages_are_translated(code):
    messages = interface_messages(code)
    missing = [msgid for msgid, msgstr in messages.items() if not msgstr]
    assert len(missing) <= len(messages) // 10, missing


@pytest.mark.parametrize("code", TRANSLATED)
def test_placeholders_are_kept(code):
    for msgid, msgstr in catalogue(code).items():
        if msgstr:
            assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid


def test_only_english_and_reviewed_languages_skip_the_review_note():
    for language in languages.all_languages():
        assert language.awaiting_review == (not language.source and not language.reviewed)
    assert languages.get_language("ar").awaiting_review


@pytest.mark.django_db
def test_the_review_note_follows_the_reviewed_flag(monkeypatch):
    client = Client()
    client.get("/my-protection/language/pl/")
    assert 'data-testid="review-note"' in client.get("/my-protection/").text
    reviewed = tuple(
        languages.Language(**{**vars(language), "reviewed": True})
        for language in languages.all_languages()
    )
    monkeypatch.setattr(languages, "all_languages", lambda: reviewed)
    assert 'data-testid="review-note"' not in client.get("/my-protection/").text


def test_the_route_data_list_for_translators_is_current():
    assert GENERATED_FILE.read_text(encoding="utf-8") == generated_module_source(), (
        "Run: uv run python -m safeshare.advice.route_text"
    )


def test_route_text_falls_back_to_english_and_says_so():
    text = data_texts()[0]
    with translation.override("en"):
        assert translate_data_text(text).translated
    with translation.override("vi"):
        result = translate_data_text("A sentence nobody has translated.")
        assert str(result) == "A sentence nobody has translated."
        assert not result.translated
