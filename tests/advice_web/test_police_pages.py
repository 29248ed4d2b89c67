"""The officer's pages: safe contact, issuing a letter (the passcode shown once) and an advice
pack (every fact answered explicitly), scoped to the officer's force."""

from __future__ import annotations

import base64
import re
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.urls import reverse

from safeshare.advice.forms import CHILD_ROWS, NOT_KNOWN, PACK_TASKS, QUESTIONS, PackSectionForm
from safeshare.advice.models import AdvicePack, ContactPreference, ProtectionLetter
from safeshare.advice.passcodes import passcode_matches
from safeshare.kernel.roles import Role
from tests.accounts.factories import make_user
from tests.advice_web.support import officer, protected_victim
from tests.pages.check_answers import confirm

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client):
    police = officer()
    protection = protected_victim(police)
    client.force_login(police.user)
    return protection, police


def url(name: str, protection, **kwargs) -> str:
    return reverse(f"advice:{name}", kwargs={"reference": protection.reference, **kwargs})


def all_answers(**changes) -> dict[str, str]:
    answers = {}
    for question in QUESTIONS:
        answers[question.name] = "" if question.kind in {"date", "number", "int"} else NOT_KNOWN
    answers |= {"has_children": NOT_KNOWN, "language": "en", "channel": "handed_over"}
    for row in range(1, CHILD_ROWS + 1):
        answers[f"child_{row}_settled"] = NOT_KNOWN
    answers.update(changes)
    return answers


def test_the_start_page_finds_a_protection(client, setup):
    protection, _ = setup
    response = client.post(reverse("advice:start"), {"reference": protection.reference.lower()})
    assert response["Location"] == url("protection", protection)
    assert client.get(response["Location"]).status_code == 200


def test_issuing_a_letter_shows_the_passcode_once(client, setup):
    protection, _ = setup
    form = client.get(url("issue-letter", protection))
    assert form.status_code == 200
    response = client.post(
        url("issue-letter", protection), {"language": "cy", "delivery": "handed_over"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    passcode = re.search(r'data-testid="issued-passcode">([0-9 ]+)<', response.text).group(1)
    letter = ProtectionLetter.objects.get()
    assert passcode_matches(passcode, letter.passcode_hash)
    pdf = re.search(r'href="data:application/pdf;base64,([A-Za-z0-9+/=]+)"', response.text)
    assert base64.b64decode(pdf.group(1)).startswith(b"%PDF")
    overview = client.get(url("protection", protection)).text
    assert passcode not in overview
    assert "In use" in overview


def test_a_letter_is_not_posted_to_a_shared_address_and_the_page_says_why(client, setup):
    protection, _ = setup
    contact = url("contact", protection)
    check = client.post(
        contact,
        {
            "language": "en",
            "interpreter_needed": "no",
            "address_shared_with_perpetrator": "yes",
            "safe_channel": "in_person",
        },
    )
    assert check.status_code == 200
    assert "Check the safe contact details" in check.text
    assert "These are the first safe contact details recorded" in check.text
    assert not ContactPreference.objects.exists()  # nothing saved before the confirm button
    response = confirm(client, contact, check)
    assert response.status_code == 302
    assert ContactPreference.objects.get().address_shared_with_perpetrator == "yes"
    done = client.get(response["Location"]).text
    assert "Safe contact details saved" in done
    assert "What happens next" in done
    assert confirm(client, contact, check)["Location"] == response["Location"]
    assert ContactPreference.objects.count() == 1
    changed = client.post(
        contact,
        {
            "language": "en",
            "interpreter_needed": "no",
            "address_shared_with_perpetrator": "yes",
            "safe_channel": "phone",
            "safe_phone": "07700 900123",
        },
    )
    assert "2 answers change" in changed.text
    assert "Was: In person only" in changed.text
    assert "Was: Not given" in changed.text
    page = client.get(url("issue-letter", protection)).text
    assert "shares that address with the alleged perpetrator" in page
    response = client.post(
        url("issue-letter", protection), {"language": "en", "delivery": "posted"}
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "shares that address with the alleged perpetrator, who could open it" in response.text
    assert not ProtectionLetter.objects.exists()


def test_the_contact_form_refuses_post_to_a_shared_address(client, setup):
    protection, _ = setup
    response = client.post(
        url("contact", protection),
        {
            "language": "en",
            "interpreter_needed": "no",
            "address_shared_with_perpetrator": "yes",
            "safe_channel": "post",
            "safe_postal_address": "1 Home Street",
        },
    )
    assert response.status_code == 400
    assert "Post is only safe to an address the alleged perpetrator does not share" in (
        response.text
    )


def answer_sections(client, protection, answers: dict[str, str]) -> str:
    """Answer each section of the task list in turn; the sealed answers so far."""
    token = ""
    for slug, _ in PACK_TASKS:
        names = PackSectionForm.names(slug)
        posted = {
            k: v for k, v in answers.items() if any(k == n or k.startswith(n + "-") for n in names)
        }
        response = client.post(
            url("issue-pack", protection), {**posted, "section": slug, "answers": token}
        )
        assert response.status_code == 302, error_text(response)
        token = parse_qs(urlparse(response["Location"]).query)["answers"][0]
    return token


def error_text(response) -> str:
    html = response.content.decode()
    return html[html.find("govuk-error-summary") :][:1500]


def test_the_pack_is_a_task_list_of_short_question_pages(client, setup):
    protection, _ = setup
    tasks = client.get(url("issue-pack", protection)).text
    for _, title in PACK_TASKS:
        assert title in tasks
    assert "You have completed 0 of 5 sections" in tasks
    assert 'type="number"' not in tasks
    section = client.get(url("issue-pack", protection) + "?section=status").text
    assert 'type="number"' not in section
    assert 'inputmode="numeric"' in section
    assert 'inputmode="decimal"' in section
    assert "What crime is the person a victim of?" not in section  # another section's


def test_every_fact_must_be_answered_and_errors_follow_the_page(client, setup):
    protection, _ = setup
    response = client.post(
        url("issue-pack", protection),
        {"section": "crime", "abandoned_outside_uk": "not_known", "offence_category": ""},
    )
    assert response.status_code == 400
    summary = error_text(response)
    first = summary.index("Answer: what crime is the person a victim of?")
    second = summary.index("Answer: how does the person know the alleged perpetrator?")
    third = summary.index("Answer: did a relationship with a partner end because of")
    assert first < second < third  # in the order of the page
    bad_number = client.post(
        url("issue-pack", protection), {**all_answers(age="thirty"), "section": "status"}
    )
    assert "Enter a whole number" in error_text(bad_number)
    assert not AdvicePack.objects.exists()


def test_the_pack_cannot_be_checked_until_every_section_is_done(client, setup):
    protection, _ = setup
    response = client.post(url("issue-pack", protection), {"check": "yes"})
    assert response.status_code == 400
    assert "Complete every section" in error_text(response)


def test_issuing_a_pack_records_each_fact(client, setup):
    protection, _ = setup
    form = client.get(url("issue-pack", protection) + "?section=crime").text
    assert 'value="domestic_abuse" selected' in form
    token = answer_sections(
        client,
        protection,
        all_answers(
            offence_category="domestic_abuse",
            visa_category="partner_of_skilled_worker",
            relationship_broke_down_due_to_abuse="yes",
            age="30",
            has_children="no",
            language="ar",
        ),
    )
    tasks = client.get(url("issue-pack", protection) + "?" + urlencode({"answers": token})).text
    assert "You have completed 5 of 5 sections" in tasks
    # "Change" keeps the answers: the section comes back filled in.
    again = client.get(
        url("issue-pack", protection) + "?" + urlencode({"section": "status", "answers": token})
    ).text
    assert 'value="30"' in again
    check = client.post(url("issue-pack", protection), {"check": "yes", "answers": token})
    assert check.status_code == 200, error_text(check)
    assert "Check your answers before you issue the advice pack" in check.text
    assert "Partner of a Skilled Worker" in check.text
    assert "Not known" in check.text
    assert not AdvicePack.objects.exists()  # nothing issued before the confirm button
    response = confirm(client, url("issue-pack", protection), check)
    assert response.status_code == 302
    pack = AdvicePack.objects.get()
    assert pack.language == "ar"
    assert pack.facts["visa_category"] == "partner_of_skilled_worker"
    assert pack.facts["relationship_broke_down_due_to_abuse"] is True
    assert pack.facts["fears_return"] is None
    assert pack.facts["children"] == []
    assert pack.facts["age"] == 30
    done = client.get(response["Location"]).text
    assert "Advice pack issued" in done
    assert "What happens next" in done
    assert (
        confirm(client, url("issue-pack", protection), check)["Location"] == (response["Location"])
    )
    assert AdvicePack.objects.count() == 1
    detail = client.get(url("pack", protection, pack_id=pack.public_id))
    assert "mvdac" in detail.text
    assert "awaiting review by a qualified translator" in detail.text
    pdf = client.get(url("pack-pdf", protection, pack_id=pack.public_id))
    assert pdf.content == bytes(pack.pdf)


def test_other_forces_and_other_roles_cannot_reach_the_pages(client, setup):
    protection, _ = setup
    client.force_login(make_user(Role.POLICE_OFFICER))
    assert client.get(url("protection", protection)).status_code == 404
    assert client.get(url("issue-letter", protection)).status_code == 404
    client.force_login(make_user(Role.IE_CASEWORKER))
    assert client.get(url("protection", protection)).status_code == 403
    client.force_login(make_user(Role.ADVOCATE))
    assert client.get(url("issue-pack", protection)).status_code == 403
