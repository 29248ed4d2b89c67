"""``safeshare demo`` leaves nothing behind when it fails (that it works under every shipped
policy is tested with the rest that needs the demo data, in tests/ledger_db/test_demo.py)."""

from __future__ import annotations

import pytest

from safeshare import demo
from safeshare.accounts.models import Organisation, User
from safeshare.cases.models import Case
from safeshare.demo import cases as demo_cases

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_a_failing_seeder_leaves_the_database_empty(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path

    def breaks() -> None:
        raise RuntimeError("a seeder failed")

    monkeypatch.setattr(demo, "SEEDERS", [*demo.SEEDERS, breaks])
    # Every seeder runs and writes before the last one fails; a few cases show that as well as
    # the demo's two hundred, in a twentieth of the time.
    monkeypatch.setattr(demo_cases, "CASES", 10)
    with pytest.raises(RuntimeError):
        demo.seed()
    assert not Organisation.objects.exists()
    assert not User.objects.exists()
    assert not Case.objects.exists()
    assert not (tmp_path / demo.LOGINS_FILE_NAME).exists()
