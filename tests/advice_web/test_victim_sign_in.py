"""The victim signs in with the reference and passcode on their letter: no account, lockout,
a limit per network address, nothing revealed about whether a reference exists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeshare.advice.models import ReferenceLock
from safeshare.kernel.roles import Role
from safeshare.protocol.references import new_reference
from tests.accounts.factories import make_user
from tests.advice_web.support import issue_letter, officer, protected_victim

pytestmark = pytest.mark.django_db

SIGN_IN = "/my-protection/"
VICTIM_PAGES = ["advice:victim-protection", "advice:victim-shared", "advice:victim-advice"]
WRONG = "The reference or passcode is not right"
LOCKED = "You have tried too many times"


@pytest.fixture
def letter():
    police = officer()
    protection = protected_victim(police)
    return protection, issue_letter(protection, police)


def sign_in(client: Client, reference: str, passcode: str, address: str = "10.0.0.1"):
    return client.post(
        SIGN_IN, {"reference": reference, "passcode": passcode}, REMOTE_ADDR=address
    )


def wrong_passcode(passcode: str) -> str:
    digits = passcode.replace(" ", "")
    return str((int(digits) + 1) % 10**12).zfill(12)


def test_sign_in_with_reference_and_passcode_opens_the_victims_pages(client, letter):
    protection, issued = letter
    response = sign_in(client, protection.reference.lower(), issued.passcode.replace(" ", "-"))
    assert response.status_code == 302
    assert response["Location"] == reverse("advice:victim-protection")
    for name in VICTIM_PAGES:
        page = client.get(reverse(name))
        assert page.status_code == 200
        assert "no-store" in page["Cache-Control"]
    page = client.get(reverse("advice:victim-protection"))
    assert protection.reference in page.text
    assert 'data-status="active"' in page.text
    assert "govuk-exit-this-page" in page.text


def test_the_passcode_may_be_typed_in_arabic_indic_digits(client, letter):
    protection, issued = letter
    arabic = issued.passcode.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert sign_in(client, protection.reference, arabic).status_code == 302


def test_every_victim_page_needs_the_victims_session(client, letter):
    for name in VICTIM_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"] == SIGN_IN
        assert "no-store" in response["Cache-Control"]
    client.force_login(make_user(Role.POLICE_OFFICER))
    assert client.get(reverse("advice:victim-protection"))["Location"] == SIGN_IN


def test_a_wrong_passcode_and_an_unknown_reference_look_the_same(client, letter):
    protection, issued = letter
    wrong = sign_in(client, protection.reference, wrong_passcode(issued.passcode))
    unknown = sign_in(client, new_reference(), issued.passcode)
    assert wrong.status_code == unknown.status_code == 400
    assert WRONG in wrong.text
    assert WRONG in unknown.text
    assert "There is a problem" in wrong.text
    assert "no-store" in wrong["Cache-Control"]


def test_a_malformed_reference_gets_a_helpful_message(client):
    response = sign_in(client, "PR-1234", "1234 5678 9012")
    assert response.status_code == 400
    assert "exactly as it is on your letter" in response.text


@pytest.mark.parametrize("exists", [True, False], ids=["real reference", "unknown reference"])
def test_a_reference_locks_after_five_wrong_passcodes(client, letter, exists, settings):
    protection, issued = letter
    reference = protection.reference if exists else new_reference()
    for attempt in range(4):
        response = sign_in(client, reference, wrong_passcode(issued.passcode))
        assert WRONG in response.text, attempt
    response = sign_in(client, reference, wrong_passcode(issued.passcode))
    assert response.status_code == 429
    assert LOCKED in response.text
    # Locked: even the right passcode is refused, with the same words.
    response = sign_in(client, reference, issued.passcode)
    assert response.status_code == 429
    assert LOCKED in response.text
    if exists:
        ReferenceLock.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
        assert sign_in(client, reference, issued.passcode).status_code == 302


def test_a_right_passcode_clears_earlier_failures(client, letter):
    protection, issued = letter
    for _ in range(4):
        sign_in(client, protection.reference, wrong_passcode(issued.passcode))
    assert sign_in(client, protection.reference, issued.passcode).status_code == 302
    assert ReferenceLock.objects.get().failed_attempts == 0


def test_one_network_address_cannot_keep_guessing_across_references(client, letter, settings):
    settings.SAFESHARE_VICTIM_CLIENT_LIMIT = 6
    protection, issued = letter
    for _ in range(6):
        sign_in(client, new_reference(), "1111 2222 3333", address="10.9.9.9")
    response = sign_in(client, protection.reference, issued.passcode, address="10.9.9.9")
    assert response.status_code == 429
    assert "too many tries from this internet connection" in response.text
    assert (
        sign_in(Client(), protection.reference, issued.passcode, address="10.1.1.1").status_code
        == 302
    )


def test_a_new_letter_signs_out_the_old_passcode(client, letter):
    protection, issued = letter
    assert sign_in(client, protection.reference, issued.passcode).status_code == 302
    issue_letter(protection, officer("WMP"))
    assert client.get(reverse("advice:victim-protection"))["Location"] == SIGN_IN
    assert WRONG in sign_in(Client(), protection.reference, issued.passcode).text


def test_exit_this_page_ends_the_session_and_leaves(client, letter, settings):
    protection, issued = letter
    sign_in(client, protection.reference, issued.passcode)
    response = client.get(reverse("advice:victim-leave"))
    assert response.status_code == 302
    assert response["Location"] == "https://www.bbc.co.uk/weather"
    assert "no-store" in response["Cache-Control"]
    assert client.get(reverse("advice:victim-protection"))["Location"] == SIGN_IN


def test_sign_out(client, letter):
    protection, issued = letter
    sign_in(client, protection.reference, issued.passcode)
    response = client.post(reverse("advice:victim-sign-out"))
    assert response["Location"] == SIGN_IN
    assert client.get(reverse("advice:victim-protection"))["Location"] == SIGN_IN


def test_the_session_times_out(client, letter, settings):
    protection, issued = letter
    sign_in(client, protection.reference, issued.passcode)
    session = client.session
    session["advice_victim_seen"] -= 21 * 60
    session.save()
    assert client.get(reverse("advice:victim-protection"))["Location"] == SIGN_IN


def test_the_language_switch_stays_on_the_victims_pages(client):
    response = client.get("/my-protection/language/cy/?next=/my-protection/shared/")
    assert response["Location"] == "/my-protection/shared/"
    assert response.cookies["django_language"].value == "cy"
    assert client.get(SIGN_IN).text.count('lang="cy"') >= 1
    assert "Gweld eich amddiffyniad" in client.get(SIGN_IN).text
    elsewhere = client.get("/my-protection/language/ar/?next=https://evil.example/")
    assert elsewhere["Location"] == SIGN_IN
    assert 'dir="rtl"' in client.get(SIGN_IN).text
    assert client.get("/my-protection/language/xx/").status_code == 404
