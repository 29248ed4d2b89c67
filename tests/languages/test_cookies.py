"""A victim's pages leave no cookie that outlives the browser session: not the session, not the
CSRF token, not the language they chose."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.advice_web.support import issue_letter, officer, protected_victim

pytestmark = pytest.mark.django_db


def lasting_cookies(response) -> list[str]:
    """Cookies set to last beyond the browser session (deleting one is fine)."""
    lasting = []
    for name, morsel in response.cookies.items():
        if morsel["max-age"] not in ("", 0, "0"):
            lasting.append(f"{name}: max-age {morsel['max-age']}")
        elif morsel["expires"] and parsedate_to_datetime(morsel["expires"]) > timezone.now():
            lasting.append(f"{name}: expires {morsel['expires']}")
    return lasting


def test_no_victim_page_sets_a_lasting_cookie(client):
    police = officer()
    protection = protected_victim(police)
    issued = issue_letter(protection, police)
    responses = {
        "sign-in": client.get(reverse("advice:victim-sign-in")),
        "language": client.get(
            reverse("advice:victim-language", kwargs={"code": "bn"}) + "?next=/my-protection/"
        ),
        "signed-in": client.post(
            reverse("advice:victim-sign-in"),
            {"reference": protection.reference, "passcode": issued.passcode},
        ),
        "protection": client.get(reverse("advice:victim-protection")),
        "consents": client.get(reverse("advocates:victim-consents")),
        "sign-out": client.post(reverse("advice:victim-sign-out")),
    }
    assert responses["signed-in"].status_code == 302
    set_cookies = {name for response in responses.values() for name in response.cookies}
    assert {"sessionid", "django_language", "csrftoken"} <= set_cookies
    found = {page: lasting_cookies(response) for page, response in responses.items()}
    assert {page: cookies for page, cookies in found.items() if cookies} == {}


def test_the_check_sees_a_lasting_cookie(client, settings):
    settings.LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
    response = client.get(reverse("advice:victim-language", kwargs={"code": "bn"}))
    assert lasting_cookies(response)
