"""The only code that writes stored API responses (``IdempotentResponse``).

Both run inside the request's durable transaction (``request_transaction``), so the stored
response commits with the action it answers, or not at all.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from safeshare.idempotency.models import IdempotentResponse
from safeshare.kernel.transactions import action_transaction


def do_claim_key(caller: str, key: str, fingerprint: str) -> IdempotentResponse | None:
    """Claim ``key`` for this caller and request; ``None`` if it was claimed before."""
    try:
        with transaction.atomic():
            return IdempotentResponse.objects.create(
                caller=caller, key=key, request_hash=fingerprint, status_code=0, body=b""
            )
    except IntegrityError:
        return None


def do_store_response(record: IdempotentResponse, status: int, body: bytes) -> None:
    """Keep the answer to replay when the same key comes again."""
    record.status_code = status
    record.body = body
    record.save(update_fields=["status_code", "body"])


def do_delete_responses_before(before) -> int:
    """Forget stored answers to idempotent requests made before ``before`` (R23): a retry that
    late is treated as a new request. In the caller's transaction."""
    with action_transaction():
        deleted, _ = IdempotentResponse.objects.filter(created_at__lt=before).delete()
    return deleted
