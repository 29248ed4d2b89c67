"""Messages to the webhook Immigration Enforcement subscribes to (R9).

When a hold on a clearance is decided, or an earlier clear is suspended because the person
became protected, the protocol action queues a message in its own transaction
(``queue_ie_message``); the worker's ``ie_webhooks`` job sends it as a JSON ``POST`` signed with
HMAC-SHA256 (``X-SafeShare-Signature: sha256=<hex>`` over the exact body, with the shared
secret), and tries again with back-off (5, 10, 20 … minutes, at most 12 attempts). The body
holds references and codes only, never personal data.

Settings: ``SAFESHARE_IE_WEBHOOK_URL`` (unset: nothing is queued), ``SAFESHARE_IE_WEBHOOK_SECRET``,
``SAFESHARE_IE_WEBHOOK_TIMEOUT`` (seconds).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.utils import timezone

from safeshare.accounts import webhooks
from safeshare.accounts.models import Organisation
from safeshare.notifications import actions
from safeshare.notifications.models import IeWebhookMessage

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-SafeShare-Signature"
DELIVERY_HEADER = "X-SafeShare-Delivery"
MAX_ATTEMPTS = 12


def webhook_url() -> str:
    return str(getattr(settings, "SAFESHARE_IE_WEBHOOK_URL", "") or "").strip()


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def queue_ie_message(
    organisation: Organisation, kind: str, body: dict[str, Any]
) -> IeWebhookMessage | None:
    """Queue a message for IE's webhook, in the caller's transaction; nothing when IE has no
    webhook set up. The IE unit's own subscriptions (docs/adr/0038) get it as
    ``clearance.<kind>``."""
    webhooks.queue_event(organisation, f"clearance.{kind}", body)
    if not webhook_url():
        return None
    return actions.queue_ie_webhook(organisation, kind, body)


def _payload(message: IeWebhookMessage) -> bytes:
    return json.dumps(
        {
            "type": f"safeshare.clearance.{message.kind}",
            "id": str(message.public_id),
            "organisation_code": message.organisation.code,
            "created_at": message.created_at.isoformat(),
            "data": message.body,
        },
        sort_keys=True,
    ).encode()


def send(message: IeWebhookMessage, now: dt.datetime) -> IeWebhookMessage:
    body = _payload(message)
    request = urllib.request.Request(  # noqa: S310 (scheme checked in settings)
        webhook_url(),
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "SafeShare-ie-webhook/1",
            DELIVERY_HEADER: str(message.public_id),
            SIGNATURE_HEADER: sign(body, str(settings.SAFESHARE_IE_WEBHOOK_SECRET)),
        },
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=float(settings.SAFESHARE_IE_WEBHOOK_TIMEOUT)
        ) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        return actions.record_ie_webhook_attempt(
            message, now, delivered=False, response_status=error.code,
            error=f"HTTP {error.code}", max_attempts=MAX_ATTEMPTS,
        )  # fmt: skip
    except (OSError, ValueError) as error:
        log.warning("IE webhook message %s failed: %s", message.public_id, error)
        return actions.record_ie_webhook_attempt(
            message, now, delivered=False, response_status=None, error=str(error),
            max_attempts=MAX_ATTEMPTS,
        )  # fmt: skip
    ok = 200 <= status < 300
    return actions.record_ie_webhook_attempt(
        message, now, delivered=ok, response_status=status, error="" if ok else f"HTTP {status}",
        max_attempts=MAX_ATTEMPTS,
    )  # fmt: skip


def send_due(now: dt.datetime | None = None, limit: int = 200) -> tuple[int, int]:
    """The worker's job: send every due message. Returns (tried, delivered)."""
    now = now or timezone.now()
    if not webhook_url():
        return 0, 0
    due = list(
        IeWebhookMessage.objects.filter(
            status=IeWebhookMessage.Status.PENDING, next_attempt_at__lte=now
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    tried = delivered = 0
    for pk in due:
        message = actions.claim_ie_webhook(pk, now)
        if message is None:
            continue
        tried += 1
        if send(message, now).status == IeWebhookMessage.Status.DELIVERED:
            delivered += 1
    return tried, delivered
