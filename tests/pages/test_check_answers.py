"""Check answers before a consequential action, and a confirmation after it (ADR 0044).

For each: the check-answers page says what will change, nothing is stored before the confirm
button, the confirm stores once however often it is pressed, and the confirmation page says
what happens next."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeshare.cases.models import CaseEvent
from safeshare.protocol.models import Protection
from tests.pages.check_answers import confirm
from tests.pages.helpers import signed_in, text

pytestmark = pytest.mark.django_db


def test_no_further_action_says_which_protections_move_into_transition(
    client, officer, case, protection
):
    assert protection.status == "active"
    url = reverse("protocol:case-event", kwargs={"case_id": case.public_id})
    signed_in(client, officer)
    check = client.post(url, {"event": "no_further_action"})
    page = text(check)
    assert "1 protection changes as soon as you record this event" in page
    assert protection.reference in page
    assert "Fatema Begum" in page
    assert "Active</strong> becomes <strong>In transition" in page
    assert "It never ends by itself" in page
    protection.refresh_from_db()
    assert protection.status == "active"  # nothing changed yet
    assert not CaseEvent.objects.exists()
    done = client.get(confirm(client, url, check)["Location"])
    protection.refresh_from_db()
    assert protection.status == "transition"
    assert "Event recorded" in text(done)
    assert "No further action (including a discontinued prosecution)" in text(done)
    assert "end-of-protection notice" in text(done)
    assert Protection.objects.filter(status="transition").count() == 1


def test_an_event_that_changes_no_protection_says_so(client, officer, case, protection):
    url = reverse("protocol:case-event", kwargs={"case_id": case.public_id})
    check = signed_in(client, officer).post(url, {"event": "investigation_opened"})
    assert "No protection changes: each stays as it is." in text(check)
    assert "Stays <strong>active" in text(check)
