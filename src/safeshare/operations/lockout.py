"""Brute-force lockout for API bearer tokens, by network address.

Tokens carry 256 random bits, so guessing one is hopeless; the lockout still stops anyone from
trying at volume and makes the attempt visible. After ``SAFESHARE_API_LOCKOUT_THRESHOLD`` wrong
tokens within ``SAFESHARE_API_LOCKOUT_MINUTES``, every request from that address is answered 429
with ``Retry-After`` until the window ends, without looking at the token at all.
"""

from __future__ import annotations

import datetime
import math

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from safeshare.operations.models import ApiAuthFailures


def client_address(request: HttpRequest) -> str:
    """The caller's address; ``X-Forwarded-For`` only from ``SAFESHARE_TRUSTED_PROXIES``."""
    from safeshare.accounts.lockout import client_address as trusted_client_address

    return trusted_client_address(request)


def client_key(request: HttpRequest) -> str:
    """A keyed hash of the caller's address: the address itself is never stored."""
    return salted_hmac(
        "safeshare.operations.api-client", client_address(request), algorithm="sha256"
    ).hexdigest()


def seconds_locked(request: HttpRequest) -> int | None:
    """Seconds until this address may try again, or None when it is not locked out.

    Runs on every API request, so it is one plain indexed lookup (the ORM's query building
    cost more than the query itself)."""
    now = timezone.now()
    table = connection.ops.quote_name(ApiAuthFailures._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT locked_until FROM {table} WHERE client_key = %s AND locked_until > %s",  # noqa: S608 (a model's table name)
            [
                client_key(request),
                ApiAuthFailures._meta.get_field("locked_until").get_db_prep_value(now, connection),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    locked_until = row[0]
    if isinstance(locked_until, str):  # SQLite hands back text
        locked_until = ApiAuthFailures._meta.get_field("locked_until").to_python(locked_until)
    if timezone.is_naive(locked_until):
        locked_until = timezone.make_aware(locked_until, datetime.UTC)
    return max(1, math.ceil((locked_until - now).total_seconds()))
