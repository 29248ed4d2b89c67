"""Recording a victim's contact preferences through the API, as the pages can."""

from __future__ import annotations

import pytest

from safeshare.notifications.models import ContactSettings, Notification
from tests.api_client import police
from tests.notifications.conftest import victim_with_contact

pytestmark = pytest.mark.django_db


def path(victim) -> str:
    return f"/protections/{victim.person.protections.get().reference}/contact-settings"


def test_contact_settings_are_recorded_and_used(case, officer):
    victim = victim_with_contact(case, officer)
    response = police().post(
        path(victim),
        {
            "channel": "sms",
            "phone": "07700 900982",
            "address_shared_with_perpetrator": True,
            "safe_from": "09:00",
            "safe_until": "17:30",
            "language": "vi",
            "case_updates": True,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["can_be_reached"] is True
    assert body["channel"] == "sms"
    stored = ContactSettings.objects.get()
    assert (stored.language, str(stored.safe_until)) == ("vi", "17:30:00")
    listed = (
        police()
        .get(f"/protections/{victim.person.protections.get().reference}/notifications")
        .json()
    )
    # The opening notice withheld for want of safe contact is queued again, by text message.
    assert [(n["status"], n["channel"]) for n in listed] == [
        ("queued", "sms"),
        ("withheld", "none"),
    ]
    assert "No safe way to contact" in listed[1]["reason"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "carrier_pigeon", "address_shared_with_perpetrator": False}, "channel"),
        ({"channel": "email", "address_shared_with_perpetrator": False}, "email"),
        (
            {"channel": "email", "email": "nope", "address_shared_with_perpetrator": False},
            "email",
        ),
        (
            {
                "channel": "letter",
                "postal_address": "1 Road",
                "address_shared_with_perpetrator": True,
            },
            "address_shared_with_perpetrator",
        ),
        ({"channel": "sms", "phone": "07700900982"}, "address_shared_with_perpetrator"),
        (
            {
                "channel": "sms",
                "phone": "07700900982",
                "address_shared_with_perpetrator": True,
                "safe_from": "25:00",
                "safe_until": "10:00",
            },
            "safe_from",
        ),
        (
            {
                "channel": "sms",
                "phone": "07700900982",
                "address_shared_with_perpetrator": True,
                "language": "xx",
            },
            "language",
        ),
        (
            {
                "channel": "sms",
                "phone": "07700900982",
                "address_shared_with_perpetrator": True,
                "passcode": "123456",
            },
            "passcode",
        ),
    ],
)
def test_bad_contact_settings_are_refused_nothing_stored_nothing_sent(
    smtp_server, case, officer, body, field
):
    victim = victim_with_contact(case, officer)
    notices_before = Notification.objects.count()
    response = police().post(path(victim), body)
    assert response.status_code == 422
    assert field in str(response.json())
    assert ContactSettings.objects.count() == 0
    assert Notification.objects.count() == notices_before
    assert smtp_server.messages == []


def test_another_forces_protection_is_not_found(case, officer, other_force):
    victim = victim_with_contact(case, officer)
    response = police("GMP").post(
        path(victim),
        {"channel": "email", "email": "a@b.org", "address_shared_with_perpetrator": False},
    )
    assert response.status_code == 404
    assert ContactSettings.objects.count() == 0
