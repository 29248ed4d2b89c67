"""Each journey of issue "Reaching people", walked end to end with the notice actually received:
the email as a real SMTP server (STARTTLS, login) captured it, the letter as the PDF in the print
queue read back with pdftotext. Run with ``-s`` to see what each person received."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest
from django.urls import reverse
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.cases import actions as case_actions
from safeshare.kernel.roles import OrganisationKind, Role
from safeshare.notifications import actions as notices
from safeshare.notifications.models import (
    IeWebhookMessage,
    Notification,
    StaffNotice,
    SubjectAccessRequest,
)
from safeshare.oversight.models import Alert
from safeshare.protocol.models import Clearance, Protection
from tests.accounts.factories import make_user
from tests.api_client import ie
from tests.notifications.conftest import victim_with_contact
from tests.pages.conftest import organisation

pytestmark = pytest.mark.django_db

SAFE_EMAIL = {
    "channel": "email",
    "email": "fatema.safe@example.org",
    "address_shared_with_perpetrator": False,
    "language": "pl",
}


def say(journey: str, *lines: str) -> None:
    """What the person received, shown with ``pytest -s``."""
    sys.stdout.write(f"\n== {journey}\n" + "".join(f"   {line}\n" for line in lines))


def conclude(case, officer) -> None:
    actor = Actor.for_user(officer)
    case_actions.do_record_case_event(case, actor, event="investigation_opened")
    case_actions.do_record_case_event(case, actor, event="case_concluded")


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_journey_a_victim_told_by_email_from_opening_to_the_end(
    client, smtp_server, case, officer, protocol_officer
):
    victim = victim_with_contact(case, officer, **SAFE_EMAIL)
    protection = Protection.objects.get(person=victim.person)
    notices.deliver_due()
    [(to, opened)] = smtp_server.messages
    assert to == ["fatema.safe@example.org"]
    assert opened["Subject"] == "Twój numer referencyjny SafeShare / Your SafeShare reference"
    assert protection.reference in opened.get_content()
    conclude(case, officer)
    client.force_login(protocol_officer)
    close = reverse("protocol:protection-close", kwargs={"reference": protection.reference})
    form = {"reasons": "The case has concluded.", "victim_notified": "on"}
    refused = client.post(close, form).content.decode()
    assert "No delivery of the end-of-protection notice" in refused
    notices.deliver_due()
    protection.refresh_from_db()
    notice = smtp_server.messages[-1][1]
    assert "90" in notice.get_content()
    assert protection.transition_notice_at is not None
    refused = client.post(close, form).content.decode()
    assert "at the earliest 90 days" in refused
    assert Protection.objects.get(pk=protection.pk).status == "transition"
    say(
        "A. Victim, safe email, in Polish",
        f"opened: {opened['Subject']!r} to {to[0]}",
        f"transition notice: {notice['Subject']!r}, delivered "
        f"{timezone.localtime(protection.transition_notice_at):%Y-%m-%d %H:%M}",
        "closing before 90 days from that date: refused on the page",
    )


def test_journey_b_a_victim_told_by_letter(tmp_path, settings, case, officer):
    settings.SAFESHARE_LETTER_DIR = str(tmp_path / "print-queue")
    victim = victim_with_contact(
        case,
        officer,
        channel="letter",
        postal_address="Flat 2\n14 Safe Street\nBirmingham\nB1 1AA",
        address_shared_with_perpetrator=False,
        language="en",
    )
    protection = Protection.objects.get(person=victim.person)
    notices.deliver_due()
    conclude(case, officer)
    notices.deliver_due()
    letter = Notification.objects.get(event="transition_notice", representative__isnull=True)
    text = pdf_text(tmp_path / "print-queue" / f"{letter.public_id}.pdf")
    assert "14 Safe Street" in text
    assert protection.reference in text
    assert "90" in text
    for detail in ("20/1234/26", "Begum", "domestic"):
        assert detail.lower() not in text.lower()
    # Deemed delivered on the second working day; that date starts the minimum period.
    notices.deliver_due(timezone.now() + dt.timedelta(days=5))
    protection.refresh_from_db()
    letter.refresh_from_db()
    assert letter.status == Notification.Status.DELIVERED
    assert protection.transition_notice_at == letter.delivered_at
    say(
        "B. Victim, letter",
        f"print queue: {letter.public_id}.pdf, first lines: "
        + " | ".join(" ".join(line.split()) for line in text.splitlines() if line.strip())[:160],
        f"deemed delivered {timezone.localtime(letter.delivered_at):%Y-%m-%d}",
    )


def test_journey_c_a_victim_whose_only_channel_is_unsafe(
    client, smtp_server, case, officer, protocol_officer
):
    victim_with_contact(case, officer, **SAFE_EMAIL, channel_unsafe=True)
    notices.deliver_due()
    assert smtp_server.messages == []
    client.force_login(protocol_officer)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "The chosen channel is marked unsafe." in page
    say(
        "C. Victim, only channel unsafe",
        "SMTP server received: nothing",
        "protocol officer's notices page: 'The chosen channel is marked unsafe.'",
    )


def test_journey_d_ie_told_when_its_clear_is_suspended(client, settings, case, officer):
    settings.SAFESHARE_IE_WEBHOOK_URL = "http://127.0.0.1:9/ie-webhook"
    settings.SAFESHARE_IE_WEBHOOK_SECRET = "ie-shared-secret"
    api = ie()
    clearance = api.post(
        "/clearances",
        {
            "given_names": "Fatema",
            "family_name": "Begum",
            "date_of_birth": "1991-03-14",
            "nationality": "BGD",
            "action": "immigration_arrest_or_detention",
            "information_sources": ["immigration_records"],
        },
    ).json()
    assert clearance["decision"] == "clear"
    victim_with_contact(case, officer)  # her protection opens after the clear
    stored = Clearance.objects.get(public_id=clearance["id"])
    assert stored.status == "suspended"
    told = StaffNotice.objects.get(kind="clear_suspended")
    assert told.recipient_key == stored.requester_key
    assert IeWebhookMessage.objects.filter(kind="suspended").exists()
    client.force_login(api.person)
    messages = client.get(reverse("notifications:messages")).content.decode()
    assert "is suspended" in messages
    worklist = client.get(reverse("worklists:clearances"), {"show": "suspended"})
    assert "Fatema Begum" in worklist.content.decode()
    acted = api.post(
        f"/clearances/{clearance['id']}/outcome",
        {"outcome": "action_taken", "action_taken_at": timezone.now().isoformat()},
    ).json()
    assert acted["oversight_alerted"] is True
    assert Alert.objects.filter(kind="action_without_valid_clear").exists()
    say(
        "D. IE caseworker, clear suspended",
        f"message in the service: {told.message!r}",
        "webhook message queued: suspended; worklist 'Suspended' lists the clearance",
        "an action reported on it afterwards: oversight alerted",
    )


def test_journey_e_an_advocate_with_consent(
    client, smtp_server, case, officer, protocol_officer, tmp_path
):
    victim = victim_with_contact(case, officer, **SAFE_EMAIL)
    protection = Protection.objects.get(person=victim.person)
    support = organisation(
        "LAWRS", OrganisationKind.SUPPORT_ORGANISATION, "Latin American Women's Rights"
    )
    advocate = make_user(Role.ADVOCATE, support)
    consent = notices.do_record_advocate_consent(
        victim.person,
        reference=protection.reference,
        organisation=support,
        notice_channel="email",
        notice_address="advocate@lawrs.example.org",
        recorded_by="The person themselves",
        recorded_by_org=None,
        given_by_person=True,
    )
    from safeshare.advice import actions as advice_actions

    issued = advice_actions.do_issue_protection_letter(
        protection,
        Actor.for_user(officer),
        language="en",
        delivery="handed_over",
        view_url="http://testserver/my-protection/",
    )
    notices.deliver_due()
    conclude(case, officer)
    notices.deliver_due()
    to_advocate = [m for to, m in smtp_server.messages if to == ["advocate@lawrs.example.org"]]
    assert to_advocate, "the advocate is told as the person's representative"
    client.force_login(advocate)
    letter = client.get(reverse("advocates:letter-pdf", kwargs={"consent_id": consent.public_id}))
    path = tmp_path / "copy.pdf"
    path.write_bytes(letter.content)
    text = pdf_text(path)
    assert protection.reference in text
    assert issued.passcode not in text
    ask = reverse("advocates:subject-access", kwargs={"consent_id": consent.public_id})
    check = client.post(ask, {"person_asked": "on"}).content.decode()
    token = re.search(r'name="answers" value="([^"]+)"', check)
    assert token, "the check-answers page"
    asked = client.post(ask, {"answers": token.group(1), "confirm": "yes"})
    assert asked.status_code == 302
    assert "Request sent" in client.get(asked["Location"]).content.decode()
    request = SubjectAccessRequest.objects.get(consent=consent)
    # The protocol officer makes the export for that request; it leaves the worklist.
    client.force_login(protocol_officer)
    worklist = reverse("worklists:subject-access-requests")
    assert protection.reference in client.get(worklist).content.decode()
    export = client.post(
        reverse("advice:subject-access", kwargs={"person_id": victim.person.public_id}),
        {"format": "pdf", "answers": str(request.public_id)},
    )
    assert export.status_code == 200
    assert export["Content-Type"] == "application/pdf"
    assert protection.reference not in client.get(worklist).content.decode()
    # The person, on their own pages in their language, sees what was asked and what happened.
    client.logout()
    client.post(
        reverse("advice:victim-sign-in"),
        {"reference": protection.reference, "passcode": issued.passcode},
    )
    client.get(reverse("advice:victim-language", kwargs={"code": "pl"}))
    own = client.get(reverse("advocates:victim-consents")).content.decode()
    assert "poprosiła policję o kopię" in own
    assert "Policja przygotowała Twoją kopię" in own
    client.force_login(advocate)
    notices.do_withdraw_advocate_consent(consent, withdrawn_by="The person themselves")
    gone = client.get(reverse("advocates:person", kwargs={"consent_id": consent.public_id}))
    assert gone.status_code == 404
    say(
        "E. Advocate with consent",
        f"emails to the advocate: {[m['Subject'] for m in to_advocate]}",
        "letter copy downloaded (no passcode); subject access asked of the force",
        "the protocol officer made the export for that request: it left the worklist",
        "the person read, in Polish, what was asked and that the police made the copy",
        "after withdrawal: not found",
    )
