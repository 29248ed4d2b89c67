"""Properties of the pure parts: safe hours, back-off, deemed delivery, and the notice texts."""

from __future__ import annotations

import datetime as dt
import re
import string
import zoneinfo

from hypothesis import given
from hypothesis import strategies as st

from safeshare.notifications.actions import backoff, next_window_start, within_safe_hours
from safeshare.notifications.letters import deemed_delivered
from safeshare.notifications.messages import _T, Event, render

LONDON = zoneinfo.ZoneInfo("Europe/London")
times = st.times().map(lambda t: t.replace(second=0, microsecond=0))
moments = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1), timezones=st.just(dt.UTC)
)


@given(moments, times, times)
def test_the_next_window_start_is_inside_the_window_and_in_the_future(now, start, end):
    if start == end:
        return
    when = next_window_start(now, start)
    assert when > now
    assert when - now <= dt.timedelta(days=1, hours=1)
    assert within_safe_hours(when, start, end)


@given(moments, times, times)
def test_a_window_and_its_complement_cover_every_moment_once(now, start, end):
    if start == end:
        return
    assert within_safe_hours(now, start, end) != within_safe_hours(now, end, start)


@given(moments)
def test_no_window_means_any_time(now):
    assert within_safe_hours(now, None, None)


@given(st.integers(min_value=1, max_value=50))
def test_backoff_grows_and_is_capped(attempts):
    assert dt.timedelta(minutes=5) <= backoff(attempts) <= dt.timedelta(hours=6)
    assert backoff(attempts + 1) >= backoff(attempts)


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 1, 1)))
def test_deemed_delivery_is_the_second_working_day(posted):
    delivered = deemed_delivered(posted)
    assert delivered.weekday() < 5
    between = [posted + dt.timedelta(days=n) for n in range(1, (delivered - posted).days + 1)]
    assert sum(day.weekday() < 5 for day in between) == 2


ALLOWED_PLACEHOLDERS = {"reference", "sign_in_url", "minimum_days", "contact"}


def test_every_language_has_every_notice_with_only_safe_placeholders():
    for language, texts in _T.items():
        assert set(texts) == set(Event), language
        for subject, body in texts.values():
            names = {n for _, n, _, _ in string.Formatter().parse(subject + body) if n}
            assert names <= ALLOWED_PLACEHOLDERS, (language, names)


def test_the_opening_notice_always_carries_the_reference_and_never_a_passcode():
    for language in _T:
        message = render(
            Event.PROTECTION_OPENED,
            language,
            reference="PR-ABCD-EFGH-JKLM-N",
            sign_in_url="https://example.org/my-protection/",
            contact="desk",
            minimum_days=90,
        )
        assert "PR-ABCD-EFGH-JKLM-N" in message.body
        assert "https://example.org/my-protection/" in message.body
        # No run of digits or letters that could be a passcode other than the reference.
        assert not re.search(r"\b\d{6,}\b", message.body)
