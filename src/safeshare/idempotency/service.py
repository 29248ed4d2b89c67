"""``Idempotency-Key`` for every API POST: a retried request is answered, never acted on twice.

The stored response is written in the same transaction as the action itself
(``request_transaction``), so a crash leaves either both or neither.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from ninja import Status

from safeshare.idempotency import actions
from safeshare.idempotency.models import IdempotentResponse
from safeshare.kernel.errors import SafeShareError
from safeshare.kernel.transactions import request_transaction

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


class IdempotencyKeyReusedError(SafeShareError):
    """The same key was sent with a different request."""

    http_status = 422
    code = "idempotency_key_reused"

    def __init__(self) -> None:
        super().__init__(
            "This Idempotency-Key was used before with a different request. Use a new key."
        )


def _caller(request: HttpRequest) -> str:
    client = getattr(request, "api_client", None)
    if client is not None:
        return f"token:{client.token.pk}"
    return f"user:{getattr(request.user, 'pk', '')}"


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update((request.method or "").encode())
    digest.update(request.path.encode())
    digest.update(b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def idempotent(view: Callable) -> Callable:
    """Wrap a ninja operation so that a repeated ``Idempotency-Key`` replays the first answer."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            with request_transaction():
                return view(request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH or not key.isprintable():
            raise SafeShareError(
                f"{HEADER} is not valid.",
                code="validation_error",
                http_status=422,
                fields={HEADER: f"Use up to {MAX_KEY_LENGTH} printable characters"},
            )
        caller, fingerprint = _caller(request), _fingerprint(request)
        with request_transaction():
            record = actions.do_claim_key(caller, key, fingerprint)
            if record is None:
                stored = IdempotentResponse.objects.get(caller=caller, key=key)
                return _replay(stored, fingerprint)
            result = view(request, *args, **kwargs)
            status, payload = _status_and_payload(result)
            actions.do_store_response(record, status, json.dumps(payload, default=str).encode())
            return result

    return wrapper


def _status_and_payload(result) -> tuple[int, object]:
    if isinstance(result, Status):
        status, payload = result.status_code, result.value
    elif isinstance(result, tuple):
        status, payload = result
    else:
        status, payload = 200, result
    if hasattr(payload, "model_dump"):
        payload = payload.model_dump(mode="json")
    return status, payload


def _replay(stored: IdempotentResponse, fingerprint: str) -> HttpResponse:
    if stored.request_hash != fingerprint:
        raise IdempotencyKeyReusedError
    response = HttpResponse(
        bytes(stored.body), status=stored.status_code, content_type="application/json"
    )
    response["Idempotent-Replayed"] = "true"
    return response
