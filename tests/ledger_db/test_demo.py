"""``safeshare demo`` leaves a sequenced, signed ledger that verifies."""

from __future__ import annotations

import pytest

from safeshare import demo
from safeshare.ledger import service
from safeshare.ledger.models import LedgerEntry

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_data_leaves_a_verified_ledger(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the demo writes its logins and letters there
    demo.seed()
    assert LedgerEntry.objects.exists()
    assert not LedgerEntry.objects.filter(index__isnull=True).exists()
    report = service.verify_database()
    assert report.ok, report.summary()
    assert report.verified_size == report.entries == LedgerEntry.objects.count()
