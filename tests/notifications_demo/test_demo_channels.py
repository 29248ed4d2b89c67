"""The demo has victims who chose each channel, and notices going out or waiting."""

from __future__ import annotations

import pytest

from safeshare.notifications.models import ContactSettings, Notification

# The demo seeds the same on either engine; seeding it is slow, so SQLite only.
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.sqlite_only]


def test_the_demo_has_victims_on_every_channel(demo_logins, tmp_path):
    # The demo's letters go to tmp_path / "letters", and no notice through an outside service
    # (the demo_logins fixture, tests/conftest.py).
    channels = set(ContactSettings.objects.values_list("channel", flat=True))
    assert channels == {"email", "sms", "letter", "none"}
    statuses = set(Notification.objects.values_list("status", flat=True))
    assert {"queued", "withheld", "sent"} <= statuses
    assert list((tmp_path / "letters").glob("*.pdf"))
    # One demo victim consented that her support organisation's advocate sees her protection.
    from safeshare.notifications.models import AdvocateConsent

    consent = AdvocateConsent.objects.get()
    assert consent.organisation.kind == "support_organisation"
    assert consent.notice_channel == "email"
