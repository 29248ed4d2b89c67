"""The subject access export's PDF is in the person's language: its headings and explanations
translated, the English beside them while no qualified translator has reviewed the language
(ADR 0046). The JSON, for computers, keeps its English field names whatever the language."""

from __future__ import annotations

import json
import subprocess

import pytest
from django.urls import reverse

from safeshare.advice import actions, languages
from safeshare.advice.models import SubjectAccessExport
from safeshare.advice.sar import sar_pdf
from safeshare.kernel.long_dates import long_date
from tests.advice_web.support import issue_letter, issue_pack, officer, protected_victim

pytestmark = pytest.mark.django_db

POLISH_HEADINGS = [
    "Wszystko, co SafeShare przechowuje o Tobie",
    "Twoja ochrona i jej historia",
    "Sprawy policyjne, których dotyczysz",
    "Pozycje wstrzymane",
    "Nie uwzględniono",
]
ENGLISH_HEADINGS = [
    "Everything SafeShare holds about you",
    "Your protection and its history",
    "Police cases you are part of",
    "Items withheld",
    "Not included",
]


@pytest.fixture
def case():
    police = officer()
    protection = protected_victim(police)
    issue_letter(protection, police)
    issue_pack(protection, police)
    return protection, police


def speaks(protection, police, language: str) -> None:
    actions.do_record_contact_preference(
        protection.person,
        police,
        language=language,
        interpreter_needed=False,
        safe_channel="in_person",
        address_shared_with_perpetrator="no",
    )


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "export.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.split())


def test_the_pdf_is_in_the_persons_language_with_the_english_beside(client, case, tmp_path):
    protection, police = case
    speaks(protection, police, "pl")
    client.force_login(police.user)
    url = reverse("advice:subject-access", kwargs={"person_id": protection.person.public_id})
    page = client.get(url).content.decode()
    assert "The PDF is in the person's language, Polish, with the English beside it" in page
    response = client.post(url, {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content, tmp_path)
    polish = text.index(POLISH_HEADINGS[0])
    english = text.index("Everything SafeShare holds about you")
    assert polish < english  # the English after the translation, on its own pages
    for heading in POLISH_HEADINGS:
        assert heading in text[:english], heading
    for heading in ENGLISH_HEADINGS:
        assert heading in text[english:], heading
    assert protection.reference in text[:english]
    made_on = long_date(SubjectAccessExport.objects.get().created_at, "pl")
    assert f"Sporządzono {made_on}" in text  # the date as Polish writes it


def test_a_reviewed_language_is_shown_alone(case, monkeypatch, tmp_path):
    protection, police = case
    speaks(protection, police, "pl")
    reviewed = tuple(
        languages.Language(
            **{**vars(language), "reviewed": True, "reviewed_by": "A", "reviewed_on": "2026-12-01"}
        )
        for language in languages.all_languages()
    )
    monkeypatch.setattr(languages, "all_languages", lambda: reviewed)
    result = actions.do_export_subject_access(protection.person, police)
    text = text_of(sar_pdf(result.data, language="pl"), tmp_path)
    for heading in POLISH_HEADINGS:
        assert heading in text, heading
    for heading in ENGLISH_HEADINGS:
        assert heading not in text, heading


def test_english_is_the_default_and_the_json_keeps_its_field_names(client, case, tmp_path):
    protection, police = case
    english = actions.do_export_subject_access(protection.person, police)
    text = text_of(sar_pdf(english.data), tmp_path)
    for heading in ENGLISH_HEADINGS:
        assert heading in text, heading
    assert "The same in English" not in text
    speaks(protection, police, "zh-hans")
    client.force_login(police.user)
    url = reverse("advice:subject-access", kwargs={"person_id": protection.person.public_id})
    chinese = json.loads(client.post(url, {"format": "json"}).content)
    assert chinese.keys() == english.data.keys()
    assert chinese["protections"][0].keys() == english.data["protections"][0].keys()
    assert chinese["not_included"] == english.data["not_included"]  # in English, for computers
    pdf = client.post(url, {"format": "pdf"}).content
    assert "SafeShare 保存的关于您的所有信息" in text_of(pdf, tmp_path)
