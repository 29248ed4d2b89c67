"""The demo copied into a test (the ``demo_logins`` fixture, tests/support/demo_snapshot.py)
reads as if seeded there, and no test sees another's writes to it.

Each run of the test first makes this process's ledger key another one, as a process that
did not seed the copy has: the people in the copy must still be found in its ledger."""

from __future__ import annotations

import pytest

from safeshare.accounts.models import User
from safeshare.cases.models import Case
from safeshare.demo import cases as demo_cases
from safeshare.ledger.keys import hmac_key, token_for_person
from safeshare.ledger.models import LedgerSubject
from safeshare.protocol.models import Protection

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.sqlite_only]


@pytest.fixture
def another_process_key(settings, tmp_path):
    """This process's ledger key made afresh in another folder, then forgotten after the test."""
    settings.VAR_DIR = tmp_path / "another-process"
    settings.VAR_DIR.mkdir()
    hmac_key.cache_clear()
    hmac_key()
    yield
    hmac_key.cache_clear()


@pytest.mark.parametrize("run", ["first", "second"])
def test_a_copied_demo_reads_as_seeded_and_keeps_no_test_s_writes(
    another_process_key, demo_logins, run
):
    assert Case.objects.count() == demo_cases.CASES
    assert not User.objects.filter(first_name="Written by a test").exists()
    person = Protection.objects.first().person
    assert LedgerSubject.objects.filter(token=token_for_person(person.public_id)).exists()
    assert {login.email for login in demo_logins} <= set(
        User.objects.values_list("email", flat=True)
    )
    User.objects.update(first_name="Written by a test")  # the other run must not see it
