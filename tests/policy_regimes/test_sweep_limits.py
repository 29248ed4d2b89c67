"""Sweeps are limited by the policy file (``[clearance] sweep_*``): rows in one sweep, sweeps a
unit may start in a day, and the size of sweep that alerts oversight."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from django.conf import settings as django_settings

from safeshare.oversight.models import Alert
from safeshare.protocol.policy import PolicyError, available_policies, load_policy, parse_policy
from safeshare.register import actions as register_actions
from safeshare.register.actions import RegisterError, do_start_sweep
from safeshare.register.models import Sweep
from tests.scenarios import helpers as h

HEADER = "id,given_names,family_name,aliases,dob,sex,nationality,passport_no,ho_ref\n"


def caseload(rows: int) -> io.BytesIO:
    lines = [f"Q{n},Subject,Person{n},,1990-01-02,F,POL,,\n" for n in range(rows)]
    return io.BytesIO((HEADER + "".join(lines)).encode())


@pytest.mark.parametrize("policy_id", available_policies())
def test_every_shipped_policy_states_its_sweep_limits(policy_id):
    rules = load_policy(policy_id).clearance
    assert 1 <= rules.sweep_alert_rows <= rules.sweep_max_rows
    assert rules.sweeps_per_unit_per_day >= 1
    assert load_policy(policy_id).as_dict()["clearance"]["sweep_max_rows"] == rules.sweep_max_rows


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("sweep_alert_rows = 300000", "must not be above sweep_max_rows"),
        ("sweeps_per_unit_per_day = 0", "must be at least 1"),
        ('sweep_max_rows = "many"', "must be a whole number"),
    ],
)
def test_a_policy_file_with_bad_sweep_limits_is_refused_by_field(setting, message):
    from importlib import resources

    raw = resources.files("safeshare.protocol").joinpath("policies", "firewall.toml").read_text()
    key = setting.split(" = ")[0]
    lines = [line for line in raw.splitlines() if not line.startswith(f"{key} =")]
    changed = "\n".join(lines).replace("[clearance]\n", f"[clearance]\n{setting}\n", 1)
    with pytest.raises(PolicyError) as refused:
        parse_policy(changed.encode(), "firewall")
    assert key in str(refused.value)
    assert message in str(refused.value)


@pytest.fixture
def small_limits(monkeypatch, settings, tmp_path):
    """The firewall with limits small enough to reach in a test."""
    settings.SAFESHARE_POLICY = "firewall"
    policy = load_policy("firewall")
    limited = replace(
        policy,
        clearance=replace(
            policy.clearance, sweep_max_rows=5, sweeps_per_unit_per_day=2, sweep_alert_rows=4
        ),
    )
    monkeypatch.setattr(register_actions, "active_policy", lambda: limited)
    return limited


@pytest.mark.django_db
def test_limits_per_sweep_and_per_day_and_an_alert_for_a_large_sweep(small_limits):
    assert django_settings.SAFESHARE_POLICY == "firewall"
    caseworker = h.ie()
    with pytest.raises(RegisterError, match="more than 5 rows"):
        do_start_sweep(caseload(6), "too-big.csv", caseworker)
    assert not Sweep.objects.exists()

    do_start_sweep(caseload(2), "small.csv", caseworker)
    assert not Alert.objects.exists()
    do_start_sweep(caseload(4), "large.csv", caseworker)
    (alert,) = Alert.objects.filter(kind="large_sweep")
    assert alert.get_kind_display() == "A sweep of a large caseload"
    assert alert.details["rows"] == 4
    assert "4 people in one sweep" in alert.summary

    # The unit has started two today: a third, by anyone in it, is refused, and nothing kept.
    colleague = h.ie()
    with pytest.raises(RegisterError, match="2 sweeps today"):
        do_start_sweep(caseload(1), "third.csv", colleague)
    assert Sweep.objects.count() == 2
