"""Oversight tests see figures counted from the data as it is: a kept snapshot is reused only
while nothing it was counted from has changed (no reuse by age)."""

import pytest


@pytest.fixture(autouse=True)
def _statistics_always_current(settings):
    settings.SAFESHARE_OVERSIGHT_STATISTICS_MAX_AGE = 0
