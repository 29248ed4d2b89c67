"""The only code that writes job leases."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from safeshare.worker.models import JobLease


def do_take_lease(name: str, holder: str, seconds: float) -> bool:
    """Take the job's lease for ``seconds`` unless another live worker holds it. A lease that
    has expired (its worker stopped or hung) is taken over."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        lease, _ = JobLease.objects.select_for_update().get_or_create(name=name)
        if lease.holder and lease.holder != holder and lease.expires_at and lease.expires_at > now:
            return False
        lease.holder = holder
        lease.expires_at = now + timedelta(seconds=seconds)
        lease.last_started_at = now
        lease.save(update_fields=["holder", "expires_at", "last_started_at"])
    return True


def do_release_lease(name: str, holder: str, *, error: str = "") -> int:
    """Give the lease back and record how the run went; returns the failures in a row."""
    with transaction.atomic(durable=True):
        lease = JobLease.objects.select_for_update().get(name=name)
        if lease.holder == holder:
            lease.holder = ""
            lease.expires_at = None
        lease.last_finished_at = timezone.now()
        lease.last_error = error[:500]
        lease.failures = lease.failures + 1 if error else 0
        lease.save()
        return lease.failures
