"""The only writer of the notifications tables.

``queue_notice`` runs inside a caller's transaction (a protocol action), so a notice is queued
exactly when the change it tells of commits. ``deliver_due`` is the worker's job: it sends each
due notice outside any transaction (network calls never hold the database), then records what
happened in a short transaction of its own.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation
from safeshare.kernel.roles import OrganisationKind, Role
from safeshare.kernel.transactions import action_transaction
from safeshare.notifications import channels as channel_module
from safeshare.notifications.contact_words import contact_in_words
from safeshare.notifications.messages import (
    ALWAYS_SENT,
    Event,
    render,
    render_for_representative,
)
from safeshare.notifications.models import (
    AdvocateConsent,
    Channel,
    ContactSettings,
    IeWebhookMessage,
    Notification,
    NotificationHistory,
    StaffNotice,
    SubjectAccessRequest,
)
from safeshare.people.models import Person

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
LEASE = dt.timedelta(minutes=10)
LONDON = zoneinfo.ZoneInfo("Europe/London")

# Functions called, in the recording transaction, when a notice for an event is delivered:
# ``hook(notification)``. The protocol app records the end-of-protection notice's date.
_delivery_hooks: dict[str, list[Callable[[Notification], None]]] = {}


def awaiting_review(language: str) -> bool:
    """Whether no qualified translator has reviewed ``language`` yet (locale/languages.toml):
    its notices carry the English after the translation (ADR 0046)."""
    for item in settings.LANGUAGE_REGISTRY:
        if item["code"] == language:
            return not item.get("source", False) and not item["reviewed"]
    return False


def _contact_in(contact: str, language: str) -> str:
    """The contact point in the notice's language. A notice with the English beside carries
    the translated words in both parts: the organisation's name says who to call."""
    with translation.override(language):
        return contact_in_words(contact)


def on_delivered(event: str, hook: Callable[[Notification], None]) -> None:
    hooks = _delivery_hooks.setdefault(str(event), [])
    if hook not in hooks:
        hooks.append(hook)


# --- Contact settings ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """Where a notice may go, or why it may not."""

    channel: str
    recipient: str = ""
    language: str = "en"
    withheld: str = ""
    case_updates: bool = False
    safe_from: dt.time | None = None
    safe_until: dt.time | None = None


def latest_settings(person: Person) -> ContactSettings | None:
    return ContactSettings.objects.filter(person=person).order_by("-recorded_at", "-id").first()


def reach_for(person: Person) -> Reach:
    """Where notices to ``person`` may safely go now (R29). Without notification settings, the
    safe contact recorded with the advice (channel, address, language) is used."""
    current = latest_settings(person)
    if current is None:
        return _reach_from_advice(person)
    base: dict[str, Any] = {
        "language": current.language,
        "case_updates": current.case_updates,
        "safe_from": current.safe_from,
        "safe_until": current.safe_until,
    }
    if current.channel == Channel.NONE:
        return Reach(Channel.NONE, withheld="The person asked not to be contacted.", **base)
    if current.channel_unsafe:
        return Reach(current.channel, withheld="The chosen channel is marked unsafe.", **base)
    if current.channel == Channel.EMAIL:
        return Reach(Channel.EMAIL, recipient=current.email, **base)
    if current.channel == Channel.SMS:
        return Reach(Channel.SMS, recipient=current.phone, **base)
    if current.address_shared_with_perpetrator:
        return Reach(
            Channel.LETTER,
            withheld="The postal address is shared with the alleged perpetrator, or may be.",
            **base,
        )
    return Reach(Channel.LETTER, recipient=current.postal_address, **base)


# Where to look for safe contact when no notification settings are recorded: the advice app
# provides it at start-up (``AdviceConfig.ready``), since it sits above this app.
_fallback_reach: Callable[[Person], Reach] | None = None


def provide_fallback_reach(lookup: Callable[[Person], Reach]) -> None:
    global _fallback_reach
    _fallback_reach = lookup


def _reach_from_advice(person: Person) -> Reach:
    if _fallback_reach is None:
        return Reach(Channel.NONE, withheld="No safe way to contact the person is recorded.")
    return _fallback_reach(person)


def _check_settings(values: dict) -> dict:
    errors: dict[str, str] = {}
    channel = values.get("channel")
    if channel not in Channel.values:
        errors["channel"] = "Select how the person may be contacted: " + ", ".join(Channel.values)
    email = (values.get("email") or "").strip()
    phone = (values.get("phone") or "").strip()
    address = (values.get("postal_address") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Enter an email address in the correct format, like name@example.com"
    if channel == Channel.EMAIL and not email:
        errors["email"] = "Enter the safe email address"
    if phone and not phone_ok(phone):
        errors["phone"] = "Enter a mobile phone number, like 07700 900 982 or +44 7700 900982"
    if channel == Channel.SMS and not phone:
        errors["phone"] = "Enter the safe mobile phone number"
    if channel == Channel.LETTER and not address:
        errors["postal_address"] = "Enter the safe postal address"
    if address and len([line for line in address.splitlines() if line.strip()]) > 7:
        errors["postal_address"] = "A postal address must fit in 7 lines"
    shared = values.get("address_shared_with_perpetrator")
    if not isinstance(shared, bool):
        errors["address_shared_with_perpetrator"] = (
            "Say whether the address is shared with the alleged perpetrator"
        )
    elif channel == Channel.LETTER and shared:
        errors["address_shared_with_perpetrator"] = (
            "Letters are never sent to an address shared with the alleged perpetrator (R29)"
        )
    safe_from, safe_until = values.get("safe_from"), values.get("safe_until")
    if (safe_from is None) != (safe_until is None):
        errors["safe_until"] = "Give both the start and the end of the safe hours, or neither"
    elif safe_from is not None and safe_from == safe_until:
        errors["safe_until"] = "The safe hours must not start and end at the same time"
    if values.get("language") not in dict(settings.LANGUAGES):
        codes = ", ".join(code for code, _ in settings.LANGUAGES)
        errors["language"] = f"Choose one of these languages: {codes}"
    return errors


def phone_ok(phone: str) -> bool:
    digits = phone.replace(" ", "").replace("-", "")
    if digits.startswith("+"):
        digits = digits[1:]
    return digits.isdigit() and 10 <= len(digits) <= 15


def do_record_contact_settings(
    person: Person,
    actor: Actor,
    *,
    channel: str,
    email: str = "",
    phone: str = "",
    postal_address: str = "",
    address_shared_with_perpetrator: bool = True,
    channel_unsafe: bool = False,
    safe_from: dt.time | None = None,
    safe_until: dt.time | None = None,
    language: str = "en",
    case_updates: bool = False,
) -> ContactSettings:
    """Record how and when notices may reach ``person``; bad values raise ``ValidationError``
    naming each field, and nothing is stored."""
    values = {
        "channel": channel,
        "email": email,
        "phone": phone,
        "postal_address": postal_address,
        "address_shared_with_perpetrator": address_shared_with_perpetrator,
        "safe_from": safe_from,
        "safe_until": safe_until,
        "language": language,
    }
    errors = _check_settings(values)
    if errors:
        raise ValidationError(errors)
    with action_transaction():
        saved = ContactSettings.objects.create(
            person=person,
            channel=channel,
            email=email.strip(),
            phone=phone.strip(),
            postal_address=postal_address.strip(),
            address_shared_with_perpetrator=address_shared_with_perpetrator,
            channel_unsafe=channel_unsafe,
            safe_from=safe_from,
            safe_until=safe_until,
            language=language,
            case_updates=case_updates,
            recorded_by=actor.label,
            recorded_by_org=actor.organisation,
        )
        _requeue_opening_notices(person, actor)
    return saved


def _requeue_opening_notices(person: Person, actor: Actor) -> None:
    """A person who had no safe way to be told their reference is told it once one is
    recorded: each withheld, unresolved opening notice is queued again. In a transaction."""
    if reach_for(person).withheld:
        return
    withheld = Notification.objects.select_for_update().filter(
        person=person,
        event=Event.PROTECTION_OPENED.value,
        status=Notification.Status.WITHHELD,
        resolved_at__isnull=True,
        representative__isnull=True,
    )
    for old in withheld:
        queue_notice(
            person, Event.PROTECTION_OPENED, organisation=old.organisation,
            reference=old.protection_reference, representatives=False,
        )  # fmt: skip
        old.resolved_at = timezone.now()
        old.save(update_fields=["resolved_at"])
        NotificationHistory.objects.create(
            notification=old,
            status=old.status,
            detail=f"Queued again after safe contact was recorded by {actor.label}",
        )


# --- Queueing --------------------------------------------------------------------------------


def sign_in_url() -> str:
    return settings.SAFESHARE_PUBLIC_URL.rstrip("/") + "/my-protection/"


def queue_notice(
    person: Person,
    event: Event | str,
    *,
    organisation: Organisation | None,
    reference: str = "",
    contact: str = "",
    minimum_days: int | None = None,
    representatives: bool = True,
) -> Notification | None:
    """Queue a notice of ``event`` to ``person``, or record why it cannot be sent. In a
    transaction. Case updates go only to a person who opted into them (R28)."""
    event = Event(event)
    reach = reach_for(person)
    if event not in ALWAYS_SENT and not reach.case_updates:
        return None
    message = render(
        event,
        reach.language,
        english_beside=awaiting_review(reach.language),
        reference=reference,
        contact=_contact_in(contact, reach.language),
        sign_in_url=sign_in_url(),
        minimum_days=minimum_days if minimum_days is not None else "",
    )
    withheld = reach.withheld or (
        "" if reach.recipient else "No address is recorded for the chosen channel."
    )
    notification = Notification.objects.create(
        person=person,
        protection_reference=reference,
        organisation=organisation,
        event=event.value,
        channel=reach.channel,
        language=reach.language,
        recipient=reach.recipient if not withheld else "",
        subject=message.subject,
        body=message.body,
        status=Notification.Status.WITHHELD if withheld else Notification.Status.QUEUED,
        withheld_reason=withheld,
    )
    _history(notification, withheld or "Queued")
    if representatives:
        _queue_for_representatives(person, event, organisation=organisation, reference=reference)
    return notification


def _queue_for_representatives(
    person: Person, event: Event, *, organisation: Organisation | None, reference: str
) -> None:
    """Each advocate the person consented to be told as their representative gets the notice
    too, through the channel the consent names. In a transaction."""
    for consent in (
        active_consents()
        .filter(person=person)
        .exclude(notice_channel=AdvocateConsent.NoticeChannel.NONE)
    ):
        message = render_for_representative(
            event, reference=reference or consent.protection_reference,
            advocate_url=advocate_url(consent),
        )  # fmt: skip
        notification = Notification.objects.create(
            person=person,
            protection_reference=reference or consent.protection_reference,
            organisation=organisation,
            event=event.value,
            channel=consent.notice_channel,
            language="en",
            recipient=consent.notice_address,
            subject=message.subject,
            body=message.body,
            representative=consent,
        )
        _history(notification, f"Queued for the person's advocate at {consent.organisation.name}")


def _history(notification: Notification, detail: str) -> None:
    NotificationHistory.objects.create(
        notification=notification, status=notification.status, detail=detail[:500]
    )


def notify_staff(
    organisation: Organisation,
    role: str,
    kind: str,
    message: str,
    *,
    recipient_key: str = "",
    link: str = "",
) -> StaffNotice:
    """A notice to staff inside the service. In a transaction."""
    return StaffNotice.objects.create(
        organisation=organisation,
        role=role,
        recipient_key=recipient_key,
        kind=kind,
        message=message[:500],
        link=link[:200],
    )


# --- Delivery --------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    waiting: int = 0
    withheld: int = 0
    errors: list[str] = field(default_factory=list)


def within_safe_hours(now: dt.datetime, start: dt.time | None, end: dt.time | None) -> bool:
    """Whether UK local ``now`` falls in the safe hours (a window may run past midnight)."""
    if start is None or end is None:
        return True
    local = now.astimezone(LONDON).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end


def next_window_start(now: dt.datetime, start: dt.time) -> dt.datetime:
    local = now.astimezone(LONDON)
    candidate = local.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate = (local + dt.timedelta(days=1)).replace(
            hour=start.hour, minute=start.minute, second=0, microsecond=0
        )
    return candidate


def backoff(attempts: int) -> dt.timedelta:
    """5, 10, 20, 40 minutes… at most six hours."""
    exponent = min(max(attempts - 1, 0), 10)
    return min(dt.timedelta(minutes=5 * 2**exponent), dt.timedelta(hours=6))


def deliver_due(now: dt.datetime | None = None) -> DeliveryReport:
    """Send every queued notice that is due, and ask providers what became of sent ones.
    The worker calls this; ``safeshare notifications send`` runs it once."""
    now = now or timezone.now()
    report = DeliveryReport()
    due = list(
        Notification.objects.filter(
            status=Notification.Status.QUEUED, next_attempt_at__lte=now
        ).values_list("pk", flat=True)
    )
    for pk in due:
        _deliver_one(pk, now, report)
    sent = list(
        Notification.objects.filter(status=Notification.Status.SENT).values_list("pk", flat=True)
    )
    for pk in sent:
        _poll_one(pk, now, report)
    return report


def _claim(pk: int, now: dt.datetime) -> Notification | None:
    """Take a due notice for sending: push its next attempt past the lease so that another
    worker does not send it too."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=pk, status=Notification.Status.QUEUED, next_attempt_at__lte=now)
            .first()
        )
        if notification is None:
            return None
        notification.next_attempt_at = now + LEASE
        notification.save(update_fields=["next_attempt_at"])
        return notification


def _deliver_one(pk: int, now: dt.datetime, report: DeliveryReport) -> None:
    notification = _claim(pk, now)
    if notification is None:
        return
    if notification.representative_id is not None:
        reach = _representative_reach(notification)
    else:
        reach = reach_for(notification.person)
    # The person's choice now decides, not the one in force when the notice was queued.
    if reach.withheld or reach.channel != notification.channel or not reach.recipient:
        reason = reach.withheld or "The person's chosen channel changed since it was queued."
        _record(notification, Notification.Status.WITHHELD, reason, withheld_reason=reason)
        report.withheld += 1
        return
    if (
        not within_safe_hours(now, reach.safe_from, reach.safe_until)
        and reach.safe_from is not None
    ):
        _reschedule(notification, next_window_start(now, reach.safe_from), "Outside safe hours")
        report.waiting += 1
        return
    backend = channel_module.channel_for(notification.channel)
    if backend is None:
        _reschedule(
            notification,
            now + dt.timedelta(hours=1),
            channel_module.NOT_SET_UP[notification.channel],
        )
        report.waiting += 1
        return
    outgoing = channel_module.Outgoing(
        reference=str(notification.public_id),
        recipient=reach.recipient,
        subject=notification.subject,
        body=notification.body,
        language=notification.language,
    )
    try:
        sent = backend.send(outgoing)
    except channel_module.ChannelError as error:
        _record_failure(notification, now, str(error), permanent=error.permanent, report=report)
        return
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        notification.status = Notification.Status.SENT
        notification.recipient = reach.recipient
        notification.provider_reference = sent.provider_reference[:200]
        notification.sent_at = now
        notification.attempts += 1
        notification.last_error = ""
        notification.save()
        _history(notification, f"Sent by {notification.get_channel_display().lower()}")
        report.sent += 1
        if sent.delivered_at is not None:
            _mark_delivered(notification, sent.delivered_at, "Accepted by the receiving server")
            report.delivered += 1


def _reschedule(notification: Notification, when: dt.datetime, reason: str) -> None:
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(
            next_attempt_at=when, last_error=reason[:500]
        )


def _record(notification: Notification, status: str, detail: str, **fields: object) -> None:
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        notification.status = status
        for name, value in fields.items():
            setattr(notification, name, value)
        notification.save()
        _history(notification, detail)


def _record_failure(
    notification: Notification,
    now: dt.datetime,
    error: str,
    *,
    permanent: bool,
    report: DeliveryReport,
) -> None:
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        notification.attempts += 1
        notification.last_error = error[:500]
        if permanent or notification.attempts >= MAX_ATTEMPTS:
            notification.status = Notification.Status.FAILED
            notification.save()
            _history(notification, error)
            _failed_task(notification)
            report.failed += 1
        else:
            notification.next_attempt_at = now + backoff(notification.attempts)
            notification.save()
            NotificationHistory.objects.create(
                notification=notification,
                status=notification.status,
                detail=f"Attempt {notification.attempts} failed: {error}"[:500],
            )
            report.waiting += 1
        report.errors.append(error)


def _failed_task(notification: Notification) -> None:
    if notification.organisation is None:
        return
    notify_staff(
        notification.organisation,
        "protocol_officer",
        "notice_failed",
        f"A notice to the person protected under {
            notification.protection_reference or 'a protection'
        } could not be delivered. Give it another way.",
        link=f"/notifications/{notification.public_id}/",
    )


def _mark_delivered(notification: Notification, at: dt.datetime, detail: str) -> None:
    """In the caller's transaction: record delivery and run the event's delivery hooks."""
    notification.status = Notification.Status.DELIVERED
    notification.delivered_at = at
    notification.save(update_fields=["status", "delivered_at"])
    _history(notification, detail)
    for hook in _delivery_hooks.get(notification.event, []):
        hook(notification)


def _poll_one(pk: int, now: dt.datetime, report: DeliveryReport) -> None:
    notification = Notification.objects.get(pk=pk)
    backend = channel_module.channel_for(notification.channel)
    if backend is None or notification.sent_at is None:
        return
    state, detail = backend.status(notification.provider_reference, notification.sent_at, now)
    if state == channel_module.DeliveryState.PENDING:
        return
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=pk)
        if notification.status != Notification.Status.SENT:
            return
        if state == channel_module.DeliveryState.DELIVERED:
            _mark_delivered(notification, now, detail or "Delivered")
            report.delivered += 1
        else:
            notification.status = Notification.Status.FAILED
            notification.last_error = detail[:500]
            notification.save(update_fields=["status", "last_error"])
            _history(notification, detail)
            _failed_task(notification)
            report.failed += 1


def do_record_returned(notification: Notification, actor: Actor, *, reasons: str) -> Notification:
    """A letter came back or an email bounced: record it and put it on the worklist."""
    if not reasons.strip():
        raise ValidationError({"reasons": "Say how the notice came back"})
    with action_transaction():
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        if notification.status not in (Notification.Status.SENT, Notification.Status.DELIVERED):
            raise ValidationError(
                {"status": "Only a sent or delivered notice can be recorded as returned"}
            )
        notification.status = Notification.Status.RETURNED
        notification.save(update_fields=["status"])
        _history(notification, f"Returned ({actor.label}): {reasons.strip()}")
        _failed_task(notification)
    return notification


def do_resolve_failed(notification: Notification, actor: Actor) -> Notification:
    """A protocol officer dealt with a failed, returned or withheld notice another way."""
    with action_transaction():
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        notification.resolved_at = timezone.now()
        notification.save(update_fields=["resolved_at"])
        NotificationHistory.objects.create(
            notification=notification,
            status=notification.status,
            detail=f"Dealt with by {actor.label}",
        )
    return notification


def _representative_reach(notification: Notification) -> Reach:
    """Where a notice to the person's advocate may go now: nowhere once consent is withdrawn
    or has run out."""
    consent = notification.representative
    assert consent is not None  # only called for a representative's notice
    consent.refresh_from_db()
    if not consent.active_on(timezone.localdate()):
        return Reach(
            consent.notice_channel, withheld="The person's consent for the advocate has ended."
        )
    if consent.notice_channel != notification.channel:
        return Reach(consent.notice_channel, withheld="The advocate's channel changed.")
    return Reach(consent.notice_channel, recipient=consent.notice_address)


# --- Advocates, with the person's consent ------------------------------------------------------


def active_consents(today: dt.date | None = None):
    """Consents in force: not withdrawn and not past their end date."""
    today = today or timezone.localdate()
    return AdvocateConsent.objects.filter(withdrawn_at__isnull=True).exclude(valid_until__lt=today)


def consents_for_advocate(user: Any):
    """The consents that let this signed-in advocate see a person: for their organisation,
    naming them or no one in particular. Anyone else gets none (least privilege)."""
    if getattr(user, "role", None) != Role.ADVOCATE.value:
        return AdvocateConsent.objects.none()
    return (
        active_consents()
        .filter(organisation_id=user.organisation_id)
        .filter(Q(advocate__isnull=True) | Q(advocate_id=user.pk))
    )


def advocate_url(consent: AdvocateConsent) -> str:
    return settings.SAFESHARE_PUBLIC_URL.rstrip("/") + f"/advocate/people/{consent.public_id}/"


def _check_consent(values: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    organisation = values["organisation"]
    if organisation is None or organisation.kind != OrganisationKind.SUPPORT_ORGANISATION.value:
        errors["organisation"] = "Select the support organisation the person chose"
    advocate = values["advocate"]
    if advocate is not None and (
        advocate.role != Role.ADVOCATE.value
        or organisation is None
        or advocate.organisation_id != organisation.pk
    ):
        errors["advocate"] = "Select an advocate who works for the chosen support organisation"
    channel = values["notice_channel"]
    address = (values["notice_address"] or "").strip()
    if channel not in AdvocateConsent.NoticeChannel.values:
        errors["notice_channel"] = "Select how the advocate should get notices, or none"
    elif channel == AdvocateConsent.NoticeChannel.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            errors["notice_address"] = (
                "Enter the advocate's email address in the correct format, like name@example.org"
            )
    elif channel == AdvocateConsent.NoticeChannel.SMS and not phone_ok(address):
        errors["notice_address"] = (
            "Enter the advocate's mobile phone number, like 07700 900 982 or +44 7700 900982"
        )
    until = values["valid_until"]
    if until is not None and until < timezone.localdate():
        errors["valid_until"] = "The date consent ends must be today or in the future"
    return errors


def do_record_advocate_consent(
    person: Person,
    *,
    reference: str,
    organisation: Organisation | None,
    advocate: Any = None,
    share_notices: bool = True,
    share_advice: bool = True,
    notice_channel: str = "none",
    notice_address: str = "",
    valid_until: dt.date | None = None,
    recorded_by: str,
    recorded_by_org: Organisation | None,
    given_by_person: bool = False,
) -> AdvocateConsent:
    """Record the person's consent that an advocate may see their protection (and be told as
    their representative). Bad values raise ``ValidationError`` naming each field; nothing is
    stored."""
    errors = _check_consent(
        {
            "organisation": organisation,
            "advocate": advocate,
            "notice_channel": notice_channel,
            "notice_address": notice_address,
            "valid_until": valid_until,
            "share_notices": share_notices,
            "share_advice": share_advice,
        }
    )
    if errors:
        raise ValidationError(errors)
    assert organisation is not None  # checked above
    with action_transaction():
        return AdvocateConsent.objects.create(
            person=person,
            protection_reference=reference,
            organisation=organisation,
            advocate=advocate,
            share_notices=share_notices,
            share_advice=share_advice,
            notice_channel=notice_channel,
            notice_address=notice_address.strip() if notice_channel != "none" else "",
            valid_until=valid_until,
            given_by_person=given_by_person,
            recorded_by=recorded_by[:200],
            recorded_by_org=recorded_by_org,
        )


def do_withdraw_advocate_consent(
    consent: AdvocateConsent, *, withdrawn_by: str
) -> AdvocateConsent:
    """Withdraw a consent: the advocate's access ends at once, and notices still waiting for
    them are not sent."""
    with action_transaction():
        consent = AdvocateConsent.objects.select_for_update().get(pk=consent.pk)
        if consent.withdrawn_at is not None:
            return consent
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by = withdrawn_by[:200]
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        waiting = Notification.objects.select_for_update().filter(
            representative=consent, status=Notification.Status.QUEUED
        )
        reason = "The person's consent for the advocate was withdrawn."
        for notification in waiting:
            notification.status = Notification.Status.WITHHELD
            notification.withheld_reason = reason
            notification.resolved_at = consent.withdrawn_at
            notification.save(update_fields=["status", "withheld_reason", "resolved_at"])
            _history(notification, reason)
    return consent


SUBJECT_ACCESS_REQUESTS_PER_DAY = 3


def do_request_subject_access(
    consent: AdvocateConsent, actor: Actor, *, force: Organisation, person_link: str
) -> SubjectAccessRequest:
    """An advocate asks, on the person's behalf, that the force make the person's subject access
    export. The request is recorded (who, when, under which consent) and the force's protocol
    officers get a task, which stays on their worklist until the export made for this request
    is recorded (``advice.SubjectAccessExport.answers``); the export itself goes to the person.
    Refused, with nothing stored, when the consent is no longer in force or when it was asked
    three times already today."""
    if (
        actor.role != Role.ADVOCATE
        or not consents_for_advocate(actor.user).filter(pk=consent.pk).exists()
    ):
        raise ValidationError("The person's consent is no longer in force.")
    with action_transaction():
        AdvocateConsent.objects.select_for_update().filter(pk=consent.pk).first()
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        asked = SubjectAccessRequest.objects.filter(consent=consent, created_at__gte=today)
        if asked.count() >= SUBJECT_ACCESS_REQUESTS_PER_DAY:
            raise ValidationError(
                "You have asked 3 times today already. The force has been told; wait for them."
            )
        request = SubjectAccessRequest.objects.create(
            consent=consent,
            person=consent.person,
            protection_reference=consent.protection_reference,
            force=force,
            requested_by=f"{actor.label}, {actor.organisation.name}"[:200],
            requester_key=actor.identifier,
            requested_by_org=actor.organisation,
        )
        notify_staff(
            force,
            Role.PROTOCOL_OFFICER.value,
            "subject_access_requested",
            f"{actor.organisation.name} asked, with the person's consent, for the subject "
            f"access export of protection {consent.protection_reference}. Make it and give it "
            "to the person through their safe contact.",
            link=f"{person_link}?request={request.public_id}",
        )
    return request


# --- Messages to Immigration Enforcement's webhook (R9) ----------------------------------------


def queue_ie_webhook(
    organisation: Organisation, kind: str, body: dict[str, Any]
) -> IeWebhookMessage:
    """Queue a message for the webhook IE subscribes to. In the caller's transaction; the
    worker's ``ie_webhooks`` job signs and sends it, and tries again with back-off."""
    return IeWebhookMessage.objects.create(organisation=organisation, kind=kind, body=body)


def claim_ie_webhook(pk: int, now: dt.datetime) -> IeWebhookMessage | None:
    with transaction.atomic():
        message = (
            IeWebhookMessage.objects.select_for_update()
            .filter(pk=pk, status=IeWebhookMessage.Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return None
        message.next_attempt_at = now + LEASE
        message.save(update_fields=["next_attempt_at"])
        return message


def record_ie_webhook_attempt(
    message: IeWebhookMessage,
    now: dt.datetime,
    *,
    delivered: bool,
    response_status: int | None,
    error: str,
    max_attempts: int,
) -> IeWebhookMessage:
    with transaction.atomic():
        message = IeWebhookMessage.objects.select_for_update().get(pk=message.pk)
        message.attempts += 1
        message.response_status = response_status
        message.last_error = error[:300]
        if delivered:
            message.status = IeWebhookMessage.Status.DELIVERED
            message.delivered_at = now
        elif message.attempts >= max_attempts:
            message.status = IeWebhookMessage.Status.FAILED
        else:
            message.next_attempt_at = now + backoff(message.attempts)
        message.save()
        return message


# --- Retention (R23) -------------------------------------------------------------------------

FINISHED_NOTICE_STATUSES = ("sent", "delivered", "failed", "returned", "withheld")


def expired_notices(before: dt.datetime):
    """Finished notices older than ``before`` that still hold an address or words."""
    return Notification.objects.filter(
        created_at__lt=before, status__in=FINISHED_NOTICE_STATUSES
    ).exclude(recipient="", body="")


def do_erase_notices_before(before: dt.datetime) -> int:
    """Erase the address and the words of finished notices older than ``before``; the record
    that a notice went, when and how, stays. In the caller's transaction."""
    return expired_notices(before).update(recipient="", body="")


def do_erase_contacts_for_retention(person_ids) -> int:
    """Erase how to reach people whom retention erases (R23): their contact settings go, and
    their finished notices lose the address and the words (that a notice went, and when,
    stays). In the caller's transaction; returns the records changed."""
    person_ids = list(person_ids)
    with action_transaction():
        deleted = ContactSettings.objects.filter(person_id__in=person_ids).delete()[0]
        erased = (
            Notification.objects.filter(
                person_id__in=person_ids, status__in=FINISHED_NOTICE_STATUSES
            )
            .exclude(recipient="", body="")
            .update(recipient="", body="")
        )
        return deleted + erased
