"""Languages: the review state shown, the route data listed for translators, and route text
falling back to English honestly. The catalogues themselves are tested in tests/languages/."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from safeshare.advice import languages
from safeshare.advice.route_text import (
    GENERATED_FILE,
    data_texts,
    generated_module_source,
    translate_data_text,
)


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
