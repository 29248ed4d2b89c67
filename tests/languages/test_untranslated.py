"""No English is left in a victim's page, letter, advice pack or notice in another language,
except what may stay English (names, references, addresses, and the English beside a
translation not yet reviewed, which is marked ``lang="en"``).

Each language in settings is checked; a language whose translation is not finished yet is an
expected failure that must fail (``strict``), so the test says when it is finished."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from safeshare.accounts.models import Organisation
from safeshare.advice.documents import render_html
from safeshare.advice.eligibility import default_organisations
from safeshare.advice.pack import build_letter_content, build_pack_content
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.notifications.actions import awaiting_review
from safeshare.notifications.contact_words import contact_in_words
from safeshare.notifications.letters import letter_html
from safeshare.notifications.messages import _T, Event, render, split_english
from tests.advice_web.support import facts, issue_letter, issue_pack, officer, protected_victim
from tests.languages.catalogues import UNFINISHED, catalogue, message_ids, translated_codes
from tests.languages.english import EnglishFinder, all_html_pieces, html_pieces

pytestmark = pytest.mark.django_db

VIEW_URL = "http://testserver/my-protection/"
# The organisation's own words, shown as it wrote them (ADR 0053): only their labels translate.
CONTACT_HOURS = "Monday to Friday, 8am to 6pm"
CONTACT_OUT_OF_HOURS = "Call 101 and ask for the duty inspector"
ADDRESS = "1 High Street\nBirmingham\nB1 1AA"
VALUES = {
    "reference": "PR-ABCD-EFGH-JKLM-N",
    "sign_in_url": VIEW_URL,
    "minimum_days": 90,
}


@pytest.fixture
def victim(client):
    police = officer()
    Organisation.objects.filter(pk=police.organisation.pk).update(
        contact_team=f"{police.organisation.name} protocol officer, via the force control room",
        contact_telephone="01632 960 001",
        contact_hours=CONTACT_HOURS,
        contact_out_of_hours=CONTACT_OUT_OF_HOURS,
    )
    protection = protected_victim(police)
    issued = issue_letter(protection, police)
    issue_pack(protection, police)
    do_record_personal_data_read(police, [protection.person], "case_page")  # a folded read
    response = client.post(
        "/my-protection/", {"reference": protection.reference, "passcode": issued.passcode}
    )
    assert response.status_code == 302
    protection.refresh_from_db()
    return protection


def names(protection) -> list[str]:
    """What may stay English: names of people, organisations and helplines, and references."""
    organisations = [organisation.name for organisation in default_organisations()]
    pack = build_pack_content(protection, facts(), protection.opened_at.date(), view_url=VIEW_URL)
    legal_names = [str(r.legal_name) for group in pack.route_groups for r in group.routes]
    return [
        *(item["name"] for item in settings.LANGUAGE_REGISTRY),  # the language chooser
        *ADDRESS.splitlines(),
        pack.protection.policy_title,
        *legal_names,
        protection.reference,
        protection.opened_by.name,
        "Fatema Begum",
        "Fatema",
        "Begum",
        "IE-NCCU organisation",
        CONTACT_HOURS,
        CONTACT_OUT_OF_HOURS,
        *organisations,
    ]


def victim_pages(client: Client, code: str) -> dict[str, str]:
    client.get(reverse("advice:victim-language", kwargs={"code": code}) + "?next=/my-protection/")
    pages = {}
    for name in ("victim-protection", "victim-shared", "victim-advice"):
        response = client.get(reverse(f"advice:{name}"))
        assert response.status_code == 200, name
        pages[name] = response.text
    pages["victim-consents"] = client.get(reverse("advocates:victim-consents")).text
    signed_out = Client()
    signed_out.get(reverse("advice:victim-language", kwargs={"code": code}))
    pages["victim-sign-in"] = signed_out.get(reverse("advice:victim-sign-in")).text
    wrong = signed_out.post(reverse("advice:victim-sign-in"), {"reference": "", "passcode": ""})
    pages["victim-sign-in-errors"] = wrong.text
    check = reverse("advice:check-receipt")
    pages["check-receipt"] = signed_out.get(check).text
    pages["check-receipt-errors"] = signed_out.post(check, {"receipt": ""}).text
    not_genuine = {"entry": "{}", "receipt": {}}
    pages["check-receipt-no"] = signed_out.post(check, {"receipt": json.dumps(not_genuine)}).text
    return pages


def documents(protection, code: str) -> dict[str, str]:
    """The letter and the advice pack as drawn for the PDF, in ``code``."""
    from safeshare.advice.languages import in_english

    with translation.override(code):

        def letter():
            return {
                "letter": build_letter_content(
                    protection,
                    passcode="ABCD2345",
                    view_url=VIEW_URL,
                    issued_on=protection.opened_at.date(),
                )
            }

        def pack():
            return {
                "pack": build_pack_content(
                    protection, facts(), protection.opened_at.date(), view_url=VIEW_URL
                )
            }

        letter_context = {**letter(), "english_context": in_english(letter)}
        pack_context = {**pack(), "english_context": in_english(pack)}
    return {
        "letter": render_html(
            "advice/pdf/letter.html",
            {**letter_context, "language": letter_context["letter"].language},
            language=code,
        ),
        "pack": render_html(
            "advice/pdf/pack.html",
            {**pack_context, "language": pack_context["pack"].language},
            language=code,
        ),
    }


def notices(protection, code: str) -> dict[str, str]:
    """Every notice in ``code`` as the posted letter draws it (HTML), the English copy marked."""
    drawn = {}
    with translation.override(code):
        contact = contact_in_words(protection.contact_point)
    for event in Event:
        message = render(
            event, code, english_beside=awaiting_review(code), contact=contact, **VALUES
        )
        _translated, english = split_english(message.body)
        assert bool(english) == (awaiting_review(code) and code in _T), event
        drawn[f"notice-{event.value}"] = letter_html(
            address=ADDRESS,
            subject=message.subject,
            body=message.body,
            language=code,
            sent_on=protection.opened_at.date(),
        )
    return drawn


def english_pieces(client: Client, protection) -> list[str]:
    """Every piece of text of the same pages, documents and notices in English."""
    pieces: list[str] = []
    for html in [
        *victim_pages(client, "en").values(),
        *documents(protection, "en").values(),
        *notices(protection, "en").values(),
    ]:
        pieces += all_html_pieces(html)
    return pieces


def english_left(client: Client, protection, codes: list[str]) -> dict[str, dict]:
    """For each language, the pieces of English left in each page, document and notice."""
    english = english_pieces(client, protection)
    english += sorted(message_ids())
    english += [text for pair in _T["en"].values() for text in pair]
    allowed = names(protection)
    left = {}
    for code in codes:
        translations = list(catalogue(code).values())
        translations += [text for pair in _T.get(code, {}).values() for text in pair]
        finder = EnglishFinder(english, translations, allowed)
        drawn = {
            **victim_pages(client, code),
            **documents(protection, code),
            **notices(protection, code),
        }
        found = {name: finder.english_in(html_pieces(html)) for name, html in drawn.items()}
        found = {name: pieces for name, pieces in found.items() if pieces}
        if found:
            left[code] = found
    return left


@pytest.mark.slow
def test_nothing_is_left_in_english_but_in_unfinished_translations(client, victim):
    """Every language in settings, each victim page, letter, advice pack and notice. A language
    listed as unfinished must still have English left (take it off the list when finished)."""
    left = english_left(client, victim, translated_codes())
    finished_with_english = {code: left[code] for code in left if code not in UNFINISHED}
    assert finished_with_english == {}
    assert sorted(left) == sorted(UNFINISHED), "Finished: take these off UNFINISHED"


def test_the_check_finds_a_string_left_untranslated(client, victim, monkeypatch):
    """With one message of the complete Welsh catalogue left untranslated, the check fails and
    names it, on the page that shows it."""
    assert english_left(client, victim, ["cy"]) == {}
    catalog = trans_real.translation("cy")._catalog
    monkeypatch.setitem(catalog, "Stay safe", "Stay safe")
    found = english_left(client, victim, ["cy"])
    assert found == {
        "cy": {"victim-sign-in": ["Stay safe"], "victim-sign-in-errors": ["Stay safe"]}
    }
