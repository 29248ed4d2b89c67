"""Outbound webhooks: events sent to the systems of police forces and IE units (docs/adr/0038).

An administrator subscribes an address to some of the events their organisation may receive
(``EVENTS_BY_KIND``). The action that makes an event queues one delivery per subscription in its
own transaction (``queue_event``), so an event is sent if and only if its change committed. Only
the worker's ``outbound-webhooks`` job sends (``send_due``): never a request, never a signal.

Each delivery is a JSON ``POST`` of references and codes, never personal data, with:

- ``SafeShare-Signature: t=<unix seconds>,v1=<hex>``, where ``<hex>`` is HMAC-SHA256 with the
  subscription's secret over ``"<t>." + body`` (the scheme Stripe uses). A receiver checks the
  signature with ``verify_signature`` (or its own copy) and refuses a ``t`` older than five
  minutes, so a captured delivery cannot be replayed later;
- ``SafeShare-Event`` (the type), ``SafeShare-Event-Id`` (the same on a replay, to let the
  receiver drop duplicates) and ``SafeShare-Delivery`` (this delivery).

A 2xx answer delivers it. Otherwise it is tried again after 1, 2, 4 … minutes (at most six
hours between tries, ``MAX_ATTEMPTS`` in all), then marked failed; an administrator sees every
attempt on the webhooks page and may replay a delivery. A failing address holds up nobody else:
each attempt waits at most ``SAFESHARE_WEBHOOK_TIMEOUT`` seconds, and after one failure in a
pass the job leaves that subscription's other deliveries for the next pass.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from safeshare.accounts import actions
from safeshare.accounts.models import Organisation, OutboundDelivery, WebhookSubscription
from safeshare.kernel.roles import OrganisationKind

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "SafeShare-Signature"
EVENT_HEADER = "SafeShare-Event"
EVENT_ID_HEADER = "SafeShare-Event-Id"
DELIVERY_HEADER = "SafeShare-Delivery"
MAX_ATTEMPTS = 15
TOLERANCE = dt.timedelta(minutes=5)

PROTECTION_EVENTS = {
    "protection.opened": "A protection was opened",
    "protection.status_changed": "A protection's status changed",
    "protection.closed": "A protection was closed",
}
CLEARANCE_EVENTS = {
    "clearance.hold_resolved": "A hold on a clearance was decided",
    "clearance.answer_changed": "The answer on a clearance changed",
    "clearance.suspended": "An earlier clear was suspended",
}
EVENTS_BY_KIND: dict[str, dict[str, str]] = {
    OrganisationKind.POLICE_FORCE.value: PROTECTION_EVENTS,
    OrganisationKind.IE_UNIT.value: CLEARANCE_EVENTS,
}


def events_for(organisation: Organisation) -> dict[str, str]:
    """The events this organisation may subscribe to (none for other kinds)."""
    return EVENTS_BY_KIND.get(organisation.kind, {})


def check_url(url: str) -> str:
    """An https address, or http to this machine (a local relay); else ``ValidationError``."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValidationError({"url": "Enter an address starting with https://"})
    if parts.scheme == "http":
        host = parts.hostname
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise ValidationError(
                {"url": "Enter an https address: deliveries must not travel unencrypted."}
            )
    return url


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return signatures([secret], timestamp, body)


def signatures(secrets: Iterable[str], timestamp: int, body: bytes) -> str:
    """The signature header: the timestamp, then one ``v1`` for each secret (the new secret
    first; the old one too while a rotation's overlap lasts)."""
    parts = [f"t={timestamp}"]
    for secret in secrets:
        mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
        parts.append(f"v1={mac.hexdigest()}")
    return ",".join(parts)


def signing_secrets(subscription: WebhookSubscription, now: dt.datetime) -> list[str]:
    """The secrets a delivery is signed with now: the current one, and the one before a
    rotation until its overlap ends."""
    found = [subscription.secret]
    until = subscription.previous_secret_until
    if subscription.previous_secret and until is not None and now < until:
        found.append(subscription.previous_secret)
    return found


def verify_signature(
    secret: str, header: str, body: bytes, now: dt.datetime | None = None
) -> bool:
    """What a receiver does: the header's ``v1`` is the HMAC of ``"<t>." + body`` and ``t`` is
    within five minutes of now."""
    pairs = [part.split("=", 1) for part in header.split(",") if "=" in part]
    try:
        timestamp = int(dict(pairs)["t"])
    except (KeyError, ValueError):
        return False
    now = now or timezone.now()
    if abs(now.timestamp() - timestamp) > TOLERANCE.total_seconds():
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    # Any of the ``v1`` signatures (two while a rotation's overlap lasts).
    return any(hmac.compare_digest(expected, value) for key, value in pairs if key == "v1")


def queue_event(organisation: Organisation, event_type: str, data: dict) -> int:
    """Queue ``event_type`` for the organisation's subscriptions, in the caller's transaction.
    Returns how many deliveries were queued."""
    if event_type not in events_for(organisation):
        return 0
    return len(actions.queue_webhook_event(organisation, event_type, data))


def queue_events(organisation: Organisation, event_type: str, datas: Iterable[dict]) -> int:
    """``queue_event`` for many events of one type (a bulk import), in the caller's
    transaction. Returns how many deliveries were queued."""
    if event_type not in events_for(organisation):
        return 0
    return actions.queue_webhook_events(organisation, event_type, datas)


def send(delivery: OutboundDelivery, now: dt.datetime) -> OutboundDelivery:
    """One attempt at a claimed delivery, recorded."""
    body = json.dumps(delivery.body, sort_keys=True, separators=(",", ":")).encode()
    subscription = delivery.subscription
    request = urllib.request.Request(  # noqa: S310 (scheme checked by check_url)
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "SafeShare-webhooks/1",
            EVENT_HEADER: delivery.event_type,
            EVENT_ID_HEADER: str(delivery.event_id),
            DELIVERY_HEADER: str(delivery.public_id),
            SIGNATURE_HEADER: signatures(
                signing_secrets(subscription, now), int(now.timestamp()), body
            ),
        },
    )
    status: int | None = None
    error = ""
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=float(settings.SAFESHARE_WEBHOOK_TIMEOUT)
        ) as response:
            status = response.status
    except urllib.error.HTTPError as failure:
        status, error = failure.code, f"HTTP {failure.code}"
    except (OSError, ValueError) as failure:
        log.warning("Webhook delivery %s failed: %s", delivery.public_id, failure)
        error = str(failure) or failure.__class__.__name__
    delivered = status is not None and 200 <= status < 300
    if status is not None and not delivered and not error:
        error = f"HTTP {status}"
    return actions.record_webhook_attempt(
        delivery, now, delivered=delivered, response_status=status, error=error,
        max_attempts=MAX_ATTEMPTS,
    )  # fmt: skip


def send_due(now: dt.datetime | None = None, limit: int = 200) -> tuple[int, int]:
    """The worker's job: attempt every due delivery, oldest first; after a subscription fails
    once, its other deliveries wait for the next pass. Returns (tried, delivered)."""
    now = now or timezone.now()
    due = list(
        OutboundDelivery.objects.filter(
            status=OutboundDelivery.Status.PENDING,
            next_attempt_at__lte=now,
            subscription__disabled_at__isnull=True,
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", "subscription_id")[:limit]
    )
    failing: set[int] = set()
    tried = delivered = 0
    for pk, subscription_id in due:
        if subscription_id in failing:
            continue
        delivery = actions.claim_webhook_delivery(pk, now)
        if delivery is None:
            continue
        tried += 1
        if send(delivery, now).status == OutboundDelivery.Status.DELIVERED:
            delivered += 1
        else:
            failing.add(subscription_id)
    return tried, delivered
