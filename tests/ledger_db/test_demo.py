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


def test_the_verify_command_fails_on_a_tampered_copy_of_the_demo_ledger(settings, tmp_path):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from tests.ledger_db.support import body_of, set_body

    settings.VAR_DIR = tmp_path
    demo.seed()
    call_command("ledger", "verify", stdout=io.StringIO())
    body = body_of(5)
    set_body(5, body.replace(b'"v":2', b'"v":1'))
    out = io.StringIO()
    with pytest.raises(CommandError, match="entry 5"):
        call_command("ledger", "verify", stdout=out)
    assert "First problem: entry 5:" in out.getvalue()
