"""IE questions that look like probing the register raise an oversight alert, once, when one
user reaches the limit the policy file sets (``[clearance] probing_*``)."""

from __future__ import annotations

import pytest

from safeshare.oversight.models import Alert
from safeshare.protocol.policy import load_policy
from tests.scenarios import helpers as h

pytestmark = pytest.mark.django_db


def probing_alerts() -> list[dict]:
    return [a.details for a in Alert.objects.filter(kind="possible_probing").order_by("id")]


def test_many_subjects_by_name_alone_from_one_user_alert_oversight(settings):
    settings.SAFESHARE_POLICY = "firewall"
    limit = load_policy("firewall").clearance.probing_name_only_per_day
    caseworker, colleague = h.ie(), h.ie()
    for n in range(limit - 1):
        h.clearance(
            caseworker,
            given_names="",
            family_name=f"Akter{n}",
            date_of_birth=None,
            nationality=None,
        )
    # A colleague's questions are not added to the first user's.
    h.clearance(
        colleague, given_names="", family_name="Akter", date_of_birth=None, nationality=None
    )
    assert probing_alerts() == []
    h.clearance(
        caseworker, given_names="", family_name="Akter", date_of_birth=None, nationality=None
    )
    (alert,) = probing_alerts()
    assert alert["pattern"] == "name_only_per_day"
    assert alert["count"] == limit
    assert alert["user"] == caseworker.identifier
    # Once, when the limit is reached, not again for every further question.
    h.clearance(
        caseworker, given_names="", family_name="Begum", date_of_birth=None, nationality=None
    )
    assert len(probing_alerts()) == 1
    # Full identities are not counted as thin.
    h.clearance(caseworker, given_names="Ana", family_name="Popescu", date_of_birth="1988-07-02")
    assert len(probing_alerts()) == 1


def test_many_blocks_with_no_outcome_reported_alert_oversight(settings):
    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    limit = load_policy("mvp-2021-promise").clearance.probing_unreported_per_week
    caseworker = h.ie()
    officer = h.police("WMP")
    party = h.add_victim(h.new_case(officer), officer)
    h.refer(party, officer)
    for _ in range(limit - 1):
        assert h.clearance(caseworker).clearance.decision == "blocked"
    assert probing_alerts() == []
    h.clearance(caseworker)
    (alert,) = probing_alerts()
    assert alert["pattern"] == "unreported_per_week"
    assert alert["count"] == limit
