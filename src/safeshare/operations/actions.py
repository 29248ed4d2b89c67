"""The only code that changes the operations app's state: counting failed API authentications."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

from safeshare.kernel.transactions import action_transaction
from safeshare.operations import conf
from safeshare.operations.lockout import client_key
from safeshare.operations.models import ApiAuthFailures


def do_record_api_auth_failure(request: HttpRequest) -> ApiAuthFailures:
    """Count a wrong bearer token from the caller's address; lock the address at the threshold."""
    now = timezone.now()
    window = timedelta(minutes=conf.api_lockout_minutes())
    with action_transaction():
        row, _created = ApiAuthFailures.objects.select_for_update().get_or_create(
            client_key=client_key(request), defaults={"window_started_at": now}
        )
        if now - row.window_started_at > window:
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= conf.api_lockout_threshold():
            row.locked_until = now + window
            row.failures, row.window_started_at = 0, now
        row.save()
    return row
