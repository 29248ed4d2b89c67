"""Fixtures for the advice and victim-view tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.advice_web.support import FakeLedgerService

LOCALE = Path(__file__).resolve().parents[2] / "src" / "safeshare" / "locale"


@pytest.fixture(scope="session", autouse=True)
def compiled_messages() -> None:
    """Compile the translations (as ``make setup`` does) if any .mo is missing or stale."""
    stale = [
        po
        for po in LOCALE.glob("*/LC_MESSAGES/django.po")
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    for po in stale:
        subprocess.run(
            ["msgfmt", "--check-format", "-o", str(po.with_suffix(".mo")), str(po)], check=True
        )
    if stale:
        from django.utils import translation
        from django.utils.translation import trans_real

        trans_real._translations = {}
        trans_real._default = None
        translation.deactivate_all()


@pytest.fixture
def ledger_service(monkeypatch) -> FakeLedgerService:
    """Stand in for ``safeshare.ledger.service`` so receipts exist and can be checked."""
    from safeshare.advice import ledger_link

    service = FakeLedgerService()
    monkeypatch.setattr(ledger_link, "ledger_service", service.as_module())
    return service


@pytest.fixture
def no_ledger_service(monkeypatch) -> None:
    """A ledger that has signed no checkpoint yet and has no keys: no entry has a receipt."""
    from types import SimpleNamespace

    from safeshare.advice import ledger_link

    monkeypatch.setattr(
        ledger_link,
        "ledger_service",
        SimpleNamespace(
            receipts_for_person=lambda person: [
                (entry, None) for entry in ledger_link.entries_about(person)
            ],
            verifier_keys=lambda: [],
        ),
    )
