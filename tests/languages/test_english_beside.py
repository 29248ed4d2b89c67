"""A language no qualified translator has reviewed is shown with the English beside it: on the
victim's pages after each part, in the letter and advice pack after the translation, in notices
after the text; each part marked with its language. A reviewed language is shown alone."""

from __future__ import annotations

import re
import subprocess
from collections import Counter

import pytest
from django.conf import settings
from django.urls import reverse

from safeshare.advice import languages
from safeshare.notifications.letters import letter_html, render_letter
from safeshare.notifications.messages import Event, render, split_english
from tests.advice_web.support import issue_letter, officer, protected_victim

VALUES = {
    "reference": "PR-ABCD-EFGH-JKLM-N",
    "sign_in_url": "https://example.org/my-protection/",
    "minimum_days": 90,
    "contact": "West Midlands Police",
}
# A letter of each script: a character range the PDF's text must hold, and the font drawing it.
SCRIPTS = {
    "bn": ("\u0980-\u09ff", "Noto-Sans-Bengali"),
    "pa": ("\u0a00-\u0a7f", "Noto-Sans-Gurmukhi"),
    "ti": ("\u1200-\u137f", "Noto-Sans-Ethiopic"),
    "ur": ("\u0600-\u06ff", "Noto-Nastaliq-Urdu"),
    "fa": ("\u0600-\u06ff", "Noto-Naskh-Arabic"),
    "ckb": ("\u0600-\u06ff", "Noto-Naskh-Arabic"),
    "ar": ("\u0600-\u06ff", "Noto-Naskh-Arabic"),
}


@pytest.fixture
def signed_in(client):
    police = officer()
    protection = protected_victim(police)
    issued = issue_letter(protection, police)
    client.post(
        "/my-protection/", {"reference": protection.reference, "passcode": issued.passcode}
    )
    return protection


def protection_page(client, code: str) -> str:
    client.get(reverse("advice:victim-language", kwargs={"code": code}))
    return client.get(reverse("advice:victim-protection")).text


def english_blocks(page: str) -> list[str]:
    return re.findall(
        r'<div class="app-english-beside[^"]*"><p class="app-english-beside__label">[^<]*</p>'
        r'<div lang="en" dir="ltr">',
        page,
    )


@pytest.mark.django_db
def test_an_unreviewed_language_shows_the_english_after_each_part(client, signed_in):
    page = protection_page(client, "pl")
    assert len(english_blocks(page)) >= 3
    assert "To samo po angielsku:" in page
    english = page[page.index('<div lang="en" dir="ltr">') :]
    assert "Being protected does not give you permission to stay in the UK." in english
    assert 'data-testid="review-note"' in page
    # The page keeps one main heading and one of each id and test id.
    assert page.count("<h1") == 1
    for attribute in ("id", "data-testid"):
        counts = Counter(re.findall(rf'\s{attribute}="([^"]+)"', page))
        assert [value for value, n in counts.items() if n > 1] == [], attribute


@pytest.mark.django_db
def test_a_reviewed_language_and_english_are_shown_alone(client, signed_in, monkeypatch):
    assert english_blocks(protection_page(client, "en")) == []
    reviewed = tuple(
        languages.Language(
            **{**vars(language), "reviewed": True, "reviewed_by": "A", "reviewed_on": "2026-12-01"}
        )
        for language in languages.all_languages()
    )
    monkeypatch.setattr(languages, "all_languages", lambda: reviewed)
    page = protection_page(client, "pl")
    assert english_blocks(page) == []
    assert 'data-testid="review-note"' not in page
    assert "Being protected does not give you permission" not in page


def test_a_notice_in_an_unreviewed_language_carries_the_english_after_it():
    message = render(Event.PROTECTION_ENDED, "bn", english_beside=True, **VALUES)
    translated, english = split_english(message.body)
    assert "আপনার SafeShare রেকর্ড" in translated
    assert english.startswith("একই লেখা ইংরেজিতে:")
    assert "Your SafeShare record PR-ABCD-EFGH-JKLM-N has ended." in english
    html = letter_html(
        address="1 High Street\nBirmingham",
        subject=message.subject,
        body=message.body,
        language="bn",
        sent_on=settings_date(),
    )
    assert '<div lang="en" dir="ltr"><p>Your SafeShare record' in html
    alone = render(Event.PROTECTION_ENDED, "bn", english_beside=False, **VALUES)
    assert split_english(alone.body)[1] == ""


def settings_date():
    import datetime as dt

    return dt.date(2026, 12, 7)


def pdf_text_and_fonts(pdf: bytes, tmp_path) -> tuple[str, str]:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    ).stdout.decode()
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True).stdout
    return text, fonts.decode()


@pytest.mark.parametrize("code", list(SCRIPTS))
def test_a_posted_notice_draws_the_script_with_its_font(code, tmp_path):
    characters, font = SCRIPTS[code]
    message = render(Event.PROTECTION_OPENED, code, english_beside=True, **VALUES)
    pdf = render_letter(
        address="1 High Street\nBirmingham",
        subject=message.subject,
        body=message.body,
        language=code,
        sent_on=settings_date(),
    )
    text, fonts = pdf_text_and_fonts(pdf, tmp_path)
    assert len(re.findall(f"[{characters}]", text)) > 40, text
    assert font in fonts
    assert "Your SafeShare reference is PR-ABCD-EFGH-JKLM-N." in " ".join(text.split())


def test_every_language_in_settings_has_a_script_font_or_is_latin():
    latin = {"en", "cy", "pl", "ro", "sq", "vi", "es", "pt"}
    codes = {code for code, _ in settings.LANGUAGES}
    assert codes - latin - set(SCRIPTS) <= {"zh-hans"}


@pytest.mark.slow
@pytest.mark.django_db
def test_the_protection_letter_draws_each_script_then_the_english(tmp_path):
    """The letter as printed: the script's text and font, then the English on its own page."""
    import datetime as dt

    from django.utils import translation

    from safeshare.advice.documents import render_pdf
    from safeshare.advice.languages import in_english
    from safeshare.advice.pack import build_letter_content

    protection = protected_victim(officer())
    problems = {}
    for code, (characters, font) in SCRIPTS.items():
        with translation.override(code):

            def letter():
                return {
                    "letter": build_letter_content(
                        protection,
                        passcode="4821 0937 5562",
                        view_url="https://example.org/my-protection/",
                        issued_on=dt.date(2026, 12, 7),
                    )
                }

            context = {**letter(), "english_context": in_english(letter)}
        context["language"] = context["letter"].language
        pdf = render_pdf("advice/pdf/letter.html", context, language=code)
        text, fonts = pdf_text_and_fonts(pdf, tmp_path)
        flat = " ".join(text.split())
        found = {
            "script": len(re.findall(f"[{characters}]", text)) > 300,
            "font": font in fonts,
            "english": "Your protection from immigration enforcement" in flat,
            "passcode once": flat.count("4821 0937 5562") == 1,
        }
        if not all(found.values()):
            problems[code] = found
    assert problems == {}


def test_dates_in_tigrinya_name_the_month_in_tigrinya():
    """Django has no Tigrinya catalogue: the month names are in ours, kept by hand."""
    import datetime as dt

    from django.template import Context, Template
    from django.utils import translation

    with translation.override("ti"):
        shown = Template('{{ day|date:"j F Y" }}').render(Context({"day": dt.date(2026, 12, 7)}))
    assert shown == "7 ታሕሳስ 2026"
