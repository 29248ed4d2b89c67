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
