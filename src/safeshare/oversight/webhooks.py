"""Alerts to an external system by webhook (R32).

When an alert is stored (by the protocol's actions, in their transaction), and once that
transaction has committed, the alert is queued for the webhook and sent at once: a JSON ``POST``
signed with HMAC-SHA256 (``X-SafeShare-Signature: sha256=<hex>`` over the exact body, with the
shared secret). A delivery that fails stays ``failed`` and is tried again by the worker's
``webhooks`` job (or ``safeshare oversight deliver-webhooks``). The body holds references and
codes only, never personal data.

Settings (``settings.py`` reads them from the environment):

- ``SAFESHARE_OVERSIGHT_WEBHOOK_URL``: where to send alerts (http or https); unset means no
  webhook.
- ``SAFESHARE_OVERSIGHT_WEBHOOK_SECRET``: the shared secret for the signature.
- ``SAFESHARE_OVERSIGHT_WEBHOOK_TIMEOUT``: seconds to wait for the receiver (default 3).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

from safeshare.kernel import hooks
from safeshare.oversight import actions
from safeshare.oversight.models import Alert, WebhookDelivery

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-SafeShare-Signature"
DELIVERY_HEADER = "X-SafeShare-Delivery"
MAX_ATTEMPTS = 20


def _setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, None) or default)


def webhook_url() -> str:
    url = _setting("SAFESHARE_OVERSIGHT_WEBHOOK_URL").strip()
    if url and urlsplit(url).scheme not in {"http", "https"}:
        logger.error("SAFESHARE_OVERSIGHT_WEBHOOK_URL must be an http or https address")
        return ""
    return url


def alert_body(alert: Alert) -> dict[str, object]:
    """What the webhook receives: the alert's kind, summary, references and time."""
    return {
        "type": "safeshare.oversight.alert",
        "alert": {
            "id": alert.pk,
            "kind": alert.kind,
            "kind_label": alert.get_kind_display(),
            "summary": alert.summary,
            "organisation_code": alert.organisation_code or None,
            "references": {k: v for k, v in alert.details.items() if isinstance(v, str | int)},
            "created_at": alert.created_at.isoformat(),
        },
    }


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send one delivery now and record the attempt."""
    body = json.dumps(alert_body(delivery.alert), sort_keys=True).encode()
    request = urllib.request.Request(  # noqa: S310 (scheme checked in webhook_url)
        delivery.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "SafeShare-oversight-webhook/1",
            DELIVERY_HEADER: str(delivery.pk),
            SIGNATURE_HEADER: sign(body, _setting("SAFESHARE_OVERSIGHT_WEBHOOK_SECRET")),
        },
    )
    timeout = float(_setting("SAFESHARE_OVERSIGHT_WEBHOOK_TIMEOUT", "3"))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as error:
        return actions.do_record_webhook_attempt(
            delivery, delivered=False, response_status=error.code, error=f"HTTP {error.code}"
        )
    except (OSError, ValueError) as error:
        logger.warning("Webhook delivery %s failed: %s", delivery.pk, error)
        return actions.do_record_webhook_attempt(
            delivery, delivered=False, response_status=None, error=str(error)
        )
    return actions.do_record_webhook_attempt(
        delivery,
        delivered=200 <= status < 300,
        response_status=status,
        error="" if 200 <= status < 300 else f"HTTP {status}",
    )


def deliver_alert(alert_id: int) -> WebhookDelivery | None:
    """Queue and send an alert to the webhook, if one is set."""
    url = webhook_url()
    if not url:
        return None
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        return None
    delivery = actions.do_queue_webhook_delivery(alert, url)
    return send(delivery)


def retry_failed(limit: int = 500) -> tuple[int, int]:
    """Send again every delivery that is pending or failed (fewer than ``MAX_ATTEMPTS``).
    Returns (tried, delivered)."""
    tried = delivered = 0
    waiting = (
        WebhookDelivery.objects.filter(
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED],
            attempts__lt=MAX_ATTEMPTS,
        )
        .select_related("alert")
        .order_by("created_at")[:limit]
    )
    for delivery in waiting:
        tried += 1
        if send(delivery).status == WebhookDelivery.Status.DELIVERED:
            delivered += 1
    return tried, delivered


def raise_alert(*, kind: str, summary: str, details: dict, organisation_code: str) -> Alert:
    """Hook ``alert_raised``: store the alert in the caller's transaction and, once that
    commits, send it to the webhook. The sending is an explicit after-commit effect; a failure is
    kept as a delivery the worker sends again, and never breaks the action that raised it."""
    alert = actions.do_raise_alert(
        kind=kind, summary=summary, details=details, organisation_code=organisation_code
    )
    alert_id = alert.pk

    def _deliver() -> None:
        try:
            deliver_alert(alert_id)
        except Exception:  # a webhook must never break the action that raised the alert
            logger.exception("Could not queue webhook delivery for alert %s", alert_id)

    hooks.on_commit(_deliver)
    return alert
