"""Notices reach victims only through the channel and at the times they chose as safe (R29)."""

from __future__ import annotations

import datetime as dt
import subprocess
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.cases import actions as case_actions
from safeshare.notifications import actions as notices
from safeshare.notifications.models import ContactSettings, Notification, StaffNotice
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.models import Protection
from tests.notifications.conftest import victim_with_contact

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")
SAFE_EMAIL = {
    "channel": "email",
    "email": "fatema.safe@example.org",
    "address_shared_with_perpetrator": False,
    "language": "pl",
}


def protection_of(victim) -> Protection:
    return Protection.objects.get(person=victim.person)


def conclude(case, officer) -> None:
    actor = Actor.for_user(officer)
    case_actions.do_record_case_event(case, actor, event="investigation_opened")
    case_actions.do_record_case_event(case, actor, event="case_concluded")


def test_opened_notice_reaches_a_safe_email_in_the_victims_language(smtp_server, case, officer):
    victim = victim_with_contact(case, officer, **SAFE_EMAIL)
    protection = protection_of(victim)
    report = notices.deliver_due()
    assert (report.sent, report.delivered) == (1, 1)
    assert smtp_server.logins == [True]
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["fatema.safe@example.org"]
    # Polish awaits a qualified translator's review: the English follows (ADR 0046).
    assert message["Subject"] == "Twój numer referencyjny SafeShare / Your SafeShare reference"
    body = message.get_content()
    assert protection.reference in body
    assert "http://localhost:8000/my-protection/" in body
    # Nothing about the case, the offence or the person reaches the inbox.
    for detail in ("20/1234/26", "domestic", "Fatema", "Begum", "1991", "immigration"):
        assert detail.lower() not in body.lower()
    notification = Notification.objects.get(event="protection_opened")
    assert notification.status == Notification.Status.DELIVERED
    assert [h.status for h in notification.history.all()] == ["queued", "sent", "delivered"]


def test_transition_notice_delivery_dates_the_minimum_period(smtp_server, case, officer, force):
    from safeshare.kernel.roles import Role
    from tests.accounts.factories import make_user

    victim = victim_with_contact(case, officer, **SAFE_EMAIL)
    notices.deliver_due()
    conclude(case, officer)
    protection = protection_of(victim)
    assert protection.status == "transition"
    assert protection.transition_notice_at is None
    officer_actor = Actor.for_user(make_user(Role.PROTOCOL_OFFICER, force))
    # Before delivery, however long it has been in transition, it cannot be closed.
    with pytest.raises(ValidationError, match="No delivery of the end-of-protection notice"):
        protocol_actions.do_close_protection(
            protection, officer_actor, reasons="Case concluded.", victim_notified=True
        )
    notices.deliver_due()
    protection.refresh_from_db()
    notice = Notification.objects.get(event="transition_notice")
    assert notice.status == Notification.Status.DELIVERED
    assert protection.transition_notice_at == notice.delivered_at
    assert "90" in smtp_server.messages[-1][1].get_content()
    with pytest.raises(ValidationError, match="at the earliest 90 days"):
        protocol_actions.do_close_protection(
            protection, officer_actor, reasons="Case concluded.", victim_notified=True
        )
    Protection.objects.filter(pk=protection.pk).update(
        transition_notice_at=timezone.now() - dt.timedelta(days=91)
    )
    protocol_actions.do_close_protection(
        protection, officer_actor, reasons="Case concluded.", victim_notified=True
    )
    notices.deliver_due()
    ended = Notification.objects.get(event="protection_ended")
    assert ended.status == Notification.Status.DELIVERED
    assert len(smtp_server.messages) == 3


def test_a_server_without_starttls_is_sent_nothing(plain_smtp_server, case, officer):
    victim_with_contact(case, officer, **SAFE_EMAIL)
    report = notices.deliver_due()
    assert plain_smtp_server.messages == []
    assert report.sent == 0
    notification = Notification.objects.get()
    assert notification.status == Notification.Status.QUEUED
    assert "STARTTLS" in notification.last_error
    assert notification.attempts == 1
    assert notification.next_attempt_at > timezone.now()


def test_repeated_failures_back_off_then_become_a_task(plain_smtp_server, case, officer, force):
    victim_with_contact(case, officer, **SAFE_EMAIL)
    moment = timezone.now()
    gaps = []
    for _ in range(notices.MAX_ATTEMPTS):
        notices.deliver_due(moment)
        notification = Notification.objects.get()
        gaps.append(notification.next_attempt_at - moment)
        moment = max(moment, notification.next_attempt_at)
    assert notification.status == Notification.Status.FAILED
    assert gaps[:3] == [
        dt.timedelta(minutes=5),
        dt.timedelta(minutes=10),
        dt.timedelta(minutes=20),
    ]
    task = StaffNotice.objects.get(kind="notice_failed")
    assert task.organisation == force
    assert task.role == "protocol_officer"
    assert plain_smtp_server.messages == []


def test_with_nothing_configured_the_notice_waits_and_says_why(case, officer):
    victim_with_contact(case, officer, **SAFE_EMAIL)
    report = notices.deliver_due()
    assert report.waiting == 1
    notification = Notification.objects.get()
    assert notification.status == Notification.Status.QUEUED
    assert notification.last_error.startswith("Not sent: no email service is set up")


def test_an_unsafe_channel_gets_nothing_and_the_reason_is_kept(smtp_server, case, officer):
    victim_with_contact(case, officer, **SAFE_EMAIL, channel_unsafe=True)
    notices.deliver_due()
    assert smtp_server.messages == []
    notification = Notification.objects.get()
    assert notification.status == Notification.Status.WITHHELD
    assert notification.withheld_reason == "The chosen channel is marked unsafe."
    assert notification.recipient == ""


def test_a_channel_marked_unsafe_after_queueing_is_not_used(smtp_server, case, officer):
    victim = victim_with_contact(case, officer, **SAFE_EMAIL)
    notices.do_record_contact_settings(
        victim.person, Actor.for_user(officer), **SAFE_EMAIL, channel_unsafe=True
    )
    notices.deliver_due()
    assert smtp_server.messages == []
    assert Notification.objects.get().status == Notification.Status.WITHHELD


def test_no_contact_recorded_means_nothing_is_sent(smtp_server, case, officer):
    victim_with_contact(case, officer)
    notices.deliver_due()
    assert smtp_server.messages == []
    notification = Notification.objects.get()
    assert notification.status == Notification.Status.WITHHELD
    assert "No safe way to contact" in notification.withheld_reason


def test_nothing_is_sent_outside_the_safe_hours(smtp_server, case, officer):
    victim_with_contact(case, officer, **SAFE_EMAIL, safe_from=dt.time(9), safe_until=dt.time(17))
    # Tomorrow evening, so that the notice is already due whatever the time the test runs.
    tomorrow = dt.datetime.now(LONDON).date() + dt.timedelta(days=1)
    evening = dt.datetime.combine(tomorrow, dt.time(22), tzinfo=LONDON)
    report = notices.deliver_due(evening)
    assert report.waiting == 1
    assert smtp_server.messages == []
    notification = Notification.objects.get()
    morning = dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time(9), tzinfo=LONDON)
    assert notification.next_attempt_at == morning
    notices.deliver_due(morning)
    assert len(smtp_server.messages) == 1


def test_text_message_through_govuk_notify(notify_server, case, officer):
    victim_with_contact(
        case,
        officer,
        channel="sms",
        phone="07700 900982",
        address_shared_with_perpetrator=True,
        language="ro",
    )
    report = notices.deliver_due()
    assert notify_server.problems == []
    assert report.sent == 1
    [(path, body)] = notify_server.requests
    assert path == "/v2/notifications/sms"
    assert body["phone_number"] == "07700 900982"
    assert body["template_id"] == str(__import__("uuid").UUID(int=7))
    assert body["personalisation"]["subject"] == (
        "Referința dumneavoastră SafeShare / Your SafeShare reference"
    )
    notification = Notification.objects.get()
    assert notification.status == Notification.Status.SENT
    assert body["reference"] == str(notification.public_id)
    # Notify reports delivery; the worker asks and records it.
    notify_server.statuses[notification.provider_reference] = "delivered"
    notices.deliver_due()
    notification.refresh_from_db()
    assert notification.status == Notification.Status.DELIVERED


def test_notify_permanent_failure_is_a_task(notify_server, case, officer):
    victim_with_contact(
        case, officer, channel="sms", phone="07700900982", address_shared_with_perpetrator=True
    )
    notices.deliver_due()
    notification = Notification.objects.get()
    notify_server.statuses[notification.provider_reference] = "permanent-failure"
    notices.deliver_due()
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert StaffNotice.objects.filter(kind="notice_failed").count() == 1


def test_a_wrong_notify_key_is_refused_by_the_stand_in(notify_server, settings, case, officer):
    settings.SAFESHARE_NOTIFY_API_KEY = (
        "wrong-00000000-0000-0000-0000-000000001234-00000000-0000-0000-0000-000000000001"
    )
    victim_with_contact(
        case, officer, channel="sms", phone="07700900982", address_shared_with_perpetrator=True
    )
    notices.deliver_due()
    assert notify_server.requests == []
    assert Notification.objects.get().status == Notification.Status.QUEUED


def test_letter_is_a_print_ready_pdf_with_the_address_in_the_window(
    tmp_path, settings, case, officer
):
    settings.SAFESHARE_LETTER_DIR = str(tmp_path / "print-queue")
    address = "Flat 2\n14 Safe Street\nBirmingham\nB1 1AA"
    victim = victim_with_contact(
        case,
        officer,
        channel="letter",
        postal_address=address,
        address_shared_with_perpetrator=False,
        language="en",
    )
    notices.deliver_due()
    notification = Notification.objects.get()
    assert notification.status == Notification.Status.SENT
    pdf = tmp_path / "print-queue" / f"{notification.public_id}.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "14 Safe Street" in text
    assert protection_of(victim).reference in text
    assert "Your SafeShare reference" in text
    # The address block sits in the envelope window: 24.6 mm from the left, 39.5 mm down.
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    line = next(row for row in bbox.splitlines() if ">Flat<" in row)
    x_min = float(line.split('xMin="')[1].split('"')[0])
    y_min = float(line.split('yMin="')[1].split('"')[0])
    mm = 72 / 25.4
    assert 24 * mm <= x_min <= 26 * mm
    assert 39 * mm <= y_min <= 45 * mm
    # Deemed delivered on the second working day after it went to the print queue.
    notices.deliver_due(timezone.now() + dt.timedelta(days=5))
    notification.refresh_from_db()
    assert notification.status == Notification.Status.DELIVERED


def test_letters_never_go_to_an_address_shared_with_the_perpetrator(case, officer):
    victim = case_actions.do_add_party(
        case,
        Actor.for_user(officer),
        role="victim",
        identity=__import__("safeshare.people.identity", fromlist=["IdentityIn"]).IdentityIn(
            given_names="Ana", family_name="Pop"
        ),
    )
    with pytest.raises(ValidationError) as refused:
        notices.do_record_contact_settings(
            victim.person,
            Actor.for_user(officer),
            channel="letter",
            postal_address="1 Shared Road",
            address_shared_with_perpetrator=True,
        )
    assert "address_shared_with_perpetrator" in refused.value.message_dict
    assert ContactSettings.objects.count() == 0


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"channel": "email", "email": ""}, "email"),
        ({"channel": "email", "email": "not-an-address"}, "email"),
        ({"channel": "sms", "phone": "call me"}, "phone"),
        ({"channel": "letter", "postal_address": ""}, "postal_address"),
        ({"channel": "email", "email": "a@b.org", "language": "xx"}, "language"),
        ({"channel": "email", "email": "a@b.org", "safe_from": dt.time(9)}, "safe_until"),
        (
            {
                "channel": "email",
                "email": "a@b.org",
                "safe_from": dt.time(9),
                "safe_until": dt.time(9),
            },
            "safe_until",
        ),
    ],
)
def test_bad_contact_settings_are_refused_and_nothing_is_stored(case, officer, values, field):
    victim = victim_with_contact(case, officer)
    with pytest.raises(ValidationError) as refused:
        notices.do_record_contact_settings(
            victim.person,
            Actor.for_user(officer),
            address_shared_with_perpetrator=False,
            **values,
        )
    assert field in refused.value.message_dict
    assert ContactSettings.objects.count() == 0


def test_the_send_command_sends_what_is_due(smtp_server, case, officer):
    from io import StringIO

    from django.core.management import call_command

    victim_with_contact(case, officer, **SAFE_EMAIL)
    out = StringIO()
    call_command("notifications", "send", stdout=out)
    assert "Sent 1, delivered 1" in out.getvalue()
    assert len(smtp_server.messages) == 1


def test_recording_safe_contact_later_sends_the_withheld_opening_notice(
    smtp_server, case, officer
):
    victim = victim_with_contact(case, officer)
    first = Notification.objects.get()
    assert first.status == Notification.Status.WITHHELD
    notices.do_record_contact_settings(victim.person, Actor.for_user(officer), **SAFE_EMAIL)
    notices.deliver_due()
    first.refresh_from_db()
    assert first.resolved_at is not None
    [(recipients, message)] = smtp_server.messages
    assert recipients == [SAFE_EMAIL["email"]]
    assert protection_of(victim).reference in message.get_content()
    # Recording it again sends nothing more.
    notices.do_record_contact_settings(victim.person, Actor.for_user(officer), **SAFE_EMAIL)
    notices.deliver_due()
    assert len(smtp_server.messages) == 1


def test_the_workers_notices_job_sends_what_is_due(smtp_server, case, officer):
    from safeshare.worker.jobs import jobs

    victim_with_contact(case, officer, **SAFE_EMAIL)
    [job] = [job for job in jobs() if job.name == "notices"]
    assert job.run() == 2  # sent, then delivered
    assert Notification.objects.get(event="protection_opened").status == (
        Notification.Status.DELIVERED
    )
    assert job.run() == 0
    assert len(smtp_server.messages) == 1
