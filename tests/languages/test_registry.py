"""The languages: one line each in locale/languages.toml, read by settings; each a catalogue that
compiles, keeps its placeholders and translates every victim-facing string; each marked reviewed
only with who reviewed it and when; right-to-left where its script is."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import to_locale

from safeshare.advice import languages
from safeshare.notifications import letters, messages
from tests.languages.catalogues import (
    LOCALE,
    catalogue,
    language_params,
    registry,
    translated_codes,
)

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
HTML_TAG = re.compile(r"</?[a-z][^>]*>")


def test_settings_list_the_registry_in_order_with_names_in_the_language_itself():
    assert [(item["code"], item["name"]) for item in registry()] == settings.LANGUAGES
    assert [language.code for language in languages.all_languages()] == [
        code for code, _ in settings.LANGUAGES
    ]
    assert languages.get_language("en-gb").source
    assert languages.get_language("xx").code == "en"
    names = dict(settings.LANGUAGES)
    assert names["bn"] == "বাংলা"
    assert names["ti"] == "ትግርኛ"
    assert names["pa"] == "ਪੰਜਾਬੀ"


def test_django_knows_every_language_and_its_direction():
    for item in registry():
        info = translation.get_language_info(item["code"])
        assert info["bidi"] == bool(item.get("bidi", False)), item["code"]
    rtl = {item["code"] for item in registry() if item.get("bidi")}
    assert {"ar", "ur", "fa", "ckb"} <= rtl
    assert rtl == letters.RTL_LANGUAGES
    assert languages.get_language("ckb").direction == "rtl"
    assert languages.get_language("ti").direction == "ltr"


def test_only_what_the_registry_says_was_reviewed_is_marked_reviewed():
    for item in registry():
        language = languages.get_language(item["code"])
        assert language.awaiting_review == (not item.get("source") and not item["reviewed"])
        if item["reviewed"] and not item.get("source"):
            assert item.get("reviewed_by"), item["code"]
            assert item.get("reviewed_on"), item["code"]


def test_a_language_marked_reviewed_without_reviewer_and_date_is_refused(monkeypatch):
    entry = {"code": "cy", "name": "Cymraeg", "english_name": "Welsh", "reviewed": True}
    monkeypatch.setattr(settings, "LANGUAGE_REGISTRY", [entry])
    languages.all_languages.cache_clear()
    try:
        with pytest.raises(ValueError, match="reviewed_by"):
            languages.all_languages()
    finally:
        languages.all_languages.cache_clear()


@pytest.mark.parametrize("code", translated_codes())
def test_each_catalogue_compiles_and_keeps_placeholders_and_markup(code, tmp_path):
    po = LOCALE / to_locale(code) / "LC_MESSAGES" / "django.po"
    subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(po)], check=True)
    for msgid, msgstr in catalogue(code).items():
        if msgstr:
            assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), (
                code,
                msgid,
            )
            assert sorted(HTML_TAG.findall(msgid)) == sorted(HTML_TAG.findall(msgstr)), (
                code,
                msgid,
            )


@pytest.mark.parametrize("code", language_params())
def test_every_victim_facing_string_is_translated(code):
    """Every message in the catalogues is read by victims (the pages, letter, advice pack and
    their forms); staff pages are in English and are not in them."""
    missing = [msgid for msgid, msgstr in catalogue(code).items() if not msgstr]
    assert missing == []


@pytest.mark.parametrize("code", translated_codes())
def test_every_notice_is_written_in_the_language(code):
    assert code in messages.LANGUAGES
    assert code in messages._ENGLISH_LABEL
