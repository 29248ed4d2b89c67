"""``safeshare demo`` works under every shipped policy, and leaves nothing behind when it fails."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from safeshare import demo
from safeshare.accounts.models import Organisation, User
from safeshare.cases.models import Case
from safeshare.protocol.models import Clearance, Protection
from safeshare.protocol.policy import available_policies

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

POLICIES = available_policies()


def test_every_shipped_policy_is_tried():
    assert {"firewall", "mvp-2021"} <= set(POLICIES)


@pytest.mark.parametrize("policy_id", POLICIES)
def test_the_demo_seeds_under_every_policy(policy_id, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SAFESHARE_POLICY = policy_id
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "Demo data created." in out.getvalue()
    assert Case.objects.count() >= 100
    assert Protection.objects.exists()  # every policy protects someone in the demo
    assert Clearance.objects.filter(decision="blocked").exists()
    assert (tmp_path / demo.LOGINS_FILE_NAME).exists()


def test_a_failing_seeder_leaves_the_database_empty(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path

    def breaks() -> None:
        raise RuntimeError("a seeder failed")

    monkeypatch.setattr(demo, "SEEDERS", [*demo.SEEDERS, breaks])
    with pytest.raises(RuntimeError):
        demo.seed()
    assert not Organisation.objects.exists()
    assert not User.objects.exists()
    assert not Case.objects.exists()
    assert not (tmp_path / demo.LOGINS_FILE_NAME).exists()
    monkeypatch.setattr(demo, "SEEDERS", [s for s in demo.SEEDERS if s is not breaks])
    demo.seed()  # and it can simply be run again
    assert Case.objects.exists()
