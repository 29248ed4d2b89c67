"""The check and confirmation pages of a referral show what the officer reads, not codes."""

from __future__ import annotations

import pytest

from safeshare.accounts.models import OrganisationKind
from safeshare.referrals.views import display_value
from tests.accounts.factories import organisation

pytestmark = pytest.mark.django_db


def test_a_nationality_code_is_shown_as_the_countrys_name():
    assert display_value("nationality", "BGD") == "Bangladesh"
    # A value it does not know is shown as it was given, never dropped.
    assert display_value("nationality", "Bidoon") == "Bidoon"


def test_a_force_code_is_shown_as_the_forces_name():
    organisation("WMP", OrganisationKind.POLICE_FORCE, "West Midlands Police")
    assert display_value("force_code", "WMP") == "West Midlands Police"
    assert display_value("force_code", "ZZZ") == "ZZZ"
