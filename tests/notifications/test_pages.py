"""The protocol officer's notices worklist and staff messages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeshare.accounts.actors import Actor
from safeshare.cases import actions as case_actions
from safeshare.kernel.roles import Role
from safeshare.notifications.models import Notification
from tests.accounts.factories import make_user
from tests.notifications.conftest import victim_with_contact
from tests.pages.helpers import signed_in, text

pytestmark = pytest.mark.django_db
UNSAFE = {
    "channel": "email",
    "email": "fatema@example.org",
    "address_shared_with_perpetrator": False,
    "channel_unsafe": True,
}


def test_protocol_officer_sees_why_a_victim_got_nothing(client, case, officer, protocol_officer):
    victim = victim_with_contact(case, officer, **UNSAFE)
    reference = victim.person.protections.get().reference
    html = text(signed_in(client, protocol_officer).get(reverse("notifications:list")))
    assert reference in html
    assert "Protection opened" in html
    assert "The chosen channel is marked unsafe." in html
    assert "Not sent: no safe way to send it" in html


def test_another_forces_protocol_officer_sees_nothing(client, case, officer, other_force):
    victim_with_contact(case, officer, **UNSAFE)
    other = make_user(Role.PROTOCOL_OFFICER, other_force)
    html = text(signed_in(client, other).get(reverse("notifications:list")))
    assert "There are no notices here." in html
    assert "marked unsafe" not in html


def test_notices_download_as_csv(client, case, officer, protocol_officer):
    victim = victim_with_contact(case, officer, **UNSAFE)
    response = signed_in(client, protocol_officer).get(
        reverse("notifications:list"), {"show": "all", "format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = response.content.decode().splitlines()
    assert rows[0] == "protection,notice,channel,status,reason,created,sent"
    assert rows[1].startswith(victim.person.protections.get().reference)


def test_dealt_with_takes_a_notice_off_the_list(client, case, officer, protocol_officer):
    victim_with_contact(case, officer, **UNSAFE)
    notice = Notification.objects.get()
    signed_in(client, protocol_officer).post(
        reverse("notifications:resolve"), {"notice": str(notice.public_id)}
    )
    notice.refresh_from_db()
    assert notice.resolved_at is not None
    assert "There are no notices here." in text(client.get(reverse("notifications:list")))


@pytest.mark.parametrize("posted", [{}, {"notice": "nonsense"}, {"notice": "0" * 32}])
def test_dealt_with_needs_a_real_notice(client, protocol_officer, posted):
    response = signed_in(client, protocol_officer).post(reverse("notifications:resolve"), posted)
    assert response.status_code == 404


def test_transition_worklist_shows_the_notice_state(client, case, officer, protocol_officer):
    victim = victim_with_contact(case, officer, **UNSAFE)
    actor = Actor.for_user(officer)
    case_actions.do_record_case_event(case, actor, event="investigation_opened")
    case_actions.do_record_case_event(case, actor, event="case_concluded")
    html = text(signed_in(client, protocol_officer).get(reverse("notifications:list")))
    assert "Protections in transition" in html
    assert victim.person.protections.get().reference in html
    assert "Not until the notice is delivered" in html


def test_ie_caseworker_reads_that_a_clear_was_suspended(client, caseworker, case, officer):
    from safeshare.protocol import actions as protocol_actions

    result = protocol_actions.do_request_clearance(
        Actor.for_user(caseworker),
        action_code="immigration_arrest_or_detention",
        subject={"given_names": "Fatema", "family_name": "Begum", "date_of_birth": "1991-03-14"},
        information_sources=["immigration_records"],
    )
    assert result.clearance.decision == "clear"
    victim_with_contact(case, officer)
    html = text(signed_in(client, caseworker).get(reverse("notifications:messages")))
    assert "is suspended: the person is now protected. Do not act." in html
    assert str(result.clearance.public_id) not in html  # its short reference instead
    assert f"({result.clearance.public_id.hex[:8].upper()})" in html
    other = make_user(Role.IE_CASEWORKER, caseworker.organisation)
    html = text(signed_in(client, other).get(reverse("notifications:messages")))
    assert "There are no messages for you." in html


# --- How notices reach the person: the page that records what the API records -----------------


def _reach_url(protection) -> str:
    return reverse("notifications:reach", kwargs={"reference": protection.reference})


SHARED = "address_shared_with_perpetrator"
SAFE_EMAIL_FORM = {
    "channel": "email",
    "email": "fatema.safe@example.org",
    "address_shared_with_perpetrator": "no",
    "safe_from": "09:00",
    "safe_until": "17:00",
    "language": "pl",
    "case_updates": "on",
}


def test_the_page_records_channel_safe_hours_language_and_case_updates(
    client, protection, officer, smtp_server
):
    from safeshare.notifications import actions as notices
    from safeshare.notifications.models import ContactSettings

    signed_in(client, officer)
    page = client.get(_reach_url(protection))
    assert page.status_code == 200
    assert "Nothing recorded here yet" in text(page)
    saved = client.post(_reach_url(protection), SAFE_EMAIL_FORM)
    assert saved.status_code == 302
    settings = ContactSettings.objects.get()
    assert (settings.channel, settings.email, settings.language) == (
        "email",
        "fatema.safe@example.org",
        "pl",
    )
    assert (settings.safe_from.hour, settings.safe_until.hour) == (9, 17)
    assert settings.case_updates
    assert not settings.address_shared_with_perpetrator
    reach = notices.reach_for(protection.person)
    assert (reach.channel, reach.recipient, reach.withheld) == (
        "email",
        "fatema.safe@example.org",
        "",
    )
    html = text(client.get(_reach_url(protection)))
    assert "Notices go by email, between 09:00 and 17:00 UK time" in html


def test_marking_the_channel_unsafe_on_the_page_stops_notices_and_says_why(
    client, protection, officer, protocol_officer, smtp_server
):
    from safeshare.notifications import actions as notices
    from safeshare.protocol import outcomes

    signed_in(client, officer)
    saved = client.post(
        _reach_url(protection), {**SAFE_EMAIL_FORM, "channel_unsafe": "on"}, follow=True
    )
    assert "Notices will not be sent: The chosen channel is marked unsafe." in text(saved)
    outcomes.notify_person(
        protection, outcomes.Event.PROTECTION_REACTIVATED, outcomes.active_policy()
    )
    notices.deliver_due()
    assert smtp_server.messages == []
    html = text(signed_in(client, protocol_officer).get(reverse("notifications:list")))
    assert "The chosen channel is marked unsafe." in html
    assert "Change how notices reach them" in html


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({"channel": "pigeon"}, "channel", "Select a valid choice"),
        ({"email": "not an email"}, "email", "correct format"),
        ({"email": ""}, "email", "Enter the safe email address"),
        ({"channel": "sms", "phone": "12"}, "phone", "mobile phone number"),
        ({"channel": "letter", "postal_address": ""}, "postal_address", "safe postal address"),
        (
            {"channel": "letter", "postal_address": "1 Road\nTown", SHARED: "yes"},
            SHARED,
            "never sent to an address shared",
        ),
        ({"safe_from": "25:00"}, "safe_from", "like 09:00"),
        ({"safe_until": ""}, "safe_until", "both the start and the end"),
        ({"safe_until": "09:00"}, "safe_until", "must not start and end at the same time"),
        ({"language": "xx"}, "language", "Choose a language from the list"),
        ({SHARED: ""}, SHARED, "Say whether"),
    ],
)  # fmt: skip
def test_bad_settings_on_the_page_say_what_is_wrong_store_and_send_nothing(
    client, protection, officer, smtp_server, posted, field, message
):
    from safeshare.notifications import actions as notices
    from safeshare.notifications.models import ContactSettings

    signed_in(client, officer)
    sent_before = len(smtp_server.messages)
    response = client.post(_reach_url(protection), {**SAFE_EMAIL_FORM, **posted})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert f'href="#id_{field}' in html
    assert message in html
    assert not ContactSettings.objects.exists()
    notices.deliver_due()
    assert len(smtp_server.messages) == sent_before


def test_another_forces_officer_cannot_see_or_change_how_notices_reach_the_person(
    client, protection, other_officer
):
    from safeshare.notifications.models import ContactSettings

    signed_in(client, other_officer)
    assert client.get(_reach_url(protection)).status_code == 404
    assert client.post(_reach_url(protection), SAFE_EMAIL_FORM).status_code == 404
    assert not ContactSettings.objects.exists()
