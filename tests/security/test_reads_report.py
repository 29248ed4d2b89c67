"""The oversight report of reads of personal data per user: counts from the read audit, flags
for unusual patterns, filters by period and organisation, a chart with its data table, a CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import ReadAudit
from safeshare.accounts.read_audit import do_record_read
from safeshare.kernel.roles import Role
from safeshare.oversight.read_patterns import (
    MIN_READS,
    PEER_FACTOR,
    Read,
    ReaderSummary,
    assess,
    outside_working_hours,
    summarise,
)
from tests.accounts.factories import make_user, organisation_for

# --- The pure core ------------------------------------------------------------------------------

MONDAY_NOON = datetime(2026, 11, 2, 12, 0)
people_tokens = st.lists(st.text("0123456789abcdef", min_size=64, max_size=64), max_size=5)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)))
def test_working_hours_are_eight_to_six_on_weekdays(moment):
    expected = moment.weekday() >= 5 or moment.hour < 8 or moment.hour >= 18
    assert outside_working_hours(moment) is expected


@given(st.lists(st.integers(min_value=0, max_value=200), min_size=1, max_size=12))
def test_nobody_is_flagged_far_above_peers_who_read_as_much(counts):
    rows = [ReaderSummary(f"user:{i}", "police_officer", reads=n) for i, n in enumerate(counts)]
    for row in assess(rows):
        if "far_above_peers" in row.flags:
            others = sorted(r.reads for r in rows if r.reader != row.reader)
            assert row.reads >= MIN_READS
            assert row.reads >= PEER_FACTOR * others[len(others) // 2 - (len(others) % 2 == 0)]


@given(st.integers(min_value=0, max_value=500))
def test_a_user_alone_in_their_role_is_never_compared(reads):
    (row,) = assess([ReaderSummary("user:1", "administrator", reads=reads)])
    assert "far_above_peers" not in row.flags
    assert "many_people" not in row.flags


@given(st.lists(st.tuples(st.sampled_from(["user:1", "user:2"]), people_tokens), max_size=40))
def test_summaries_count_every_read_and_every_distinct_person(reads):
    summaries = summarise(
        Read(reader, "police_officer", MONDAY_NOON, tuple(people), len(people))
        for reader, people in reads
    )
    assert sum(s.reads for s in summaries.values()) == len(reads)
    for reader, summary in summaries.items():
        mine = {t for r, people in reads if r == reader for t in people}
        assert summary.distinct_people == len(mine)
        assert summary.out_of_hours == 0


def test_the_three_patterns_are_flagged():
    normal = [ReaderSummary(f"user:{i}", "police_officer", reads=10) for i in range(4)]
    for row in normal:
        row.people = {f"{i:064x}" for i in range(5)}
    heavy = ReaderSummary("user:heavy", "police_officer", reads=60)
    heavy.people = {f"{i:064x}" for i in range(40)}
    night = ReaderSummary("user:night", "police_officer", reads=12, out_of_hours=9)
    flags = {row.reader: row.flags for row in assess([*normal, heavy, night])}
    assert flags["user:heavy"] == ("far_above_peers", "many_people")
    assert flags["user:night"] == ("out_of_hours",)
    assert all(flags[f"user:{i}"] == () for i in range(4))


# --- The page -----------------------------------------------------------------------------------


def _reads(user, count: int, *, people: int = 1, at: datetime | None = None) -> None:
    """``count`` reads by ``user``, made at ``at``: by default at 11:00 on the last weekday
    before today, in working hours whatever the day and time the test runs."""
    if at is None:
        at = timezone.localtime().replace(hour=11, minute=0) - timedelta(days=1)
        while at.weekday() >= 5:
            at -= timedelta(days=1)
    actor = Actor.for_user(user)
    for n in range(count):
        tokens = [f"{(n * people + k) % max(people, 1):064x}" for k in range(people)]
        record = do_record_read(actor, tokens, "case_page")
        ReadAudit.objects.filter(pk=record.pk).update(at=at)


@pytest.fixture
def seeded(db):
    force = organisation_for(Role.POLICE_OFFICER)
    officers = [make_user(Role.POLICE_OFFICER, force) for _ in range(4)]
    for officer in officers:
        _reads(officer, 5)
    heavy = make_user(Role.POLICE_OFFICER, force)
    _reads(heavy, 40, people=40)
    night = make_user(Role.POLICE_OFFICER, force)
    late = timezone.localtime().replace(hour=22, minute=30) - timedelta(days=1)
    _reads(night, 8, at=late)
    other_force = organisation_for(Role.POLICE_OFFICER)
    outsider = make_user(Role.POLICE_OFFICER, other_force)
    _reads(outsider, 3)
    analyst = make_user(Role.OVERSIGHT_ANALYST)
    return {
        "force": force,
        "heavy": heavy,
        "night": night,
        "outsider": outsider,
        "analyst": analyst,
    }


@pytest.mark.django_db
def test_the_report_lists_reads_per_user_and_flags_the_unusual(client, seeded):
    client.force_login(seeded["analyst"])
    page = client.get(reverse("oversight:reads"))
    assert page.status_code == 200
    text = page.content.decode()
    rows = text.split('data-testid="reads-row"')[1:]
    assert len(rows) == 7
    heavy = next(r for r in rows if seeded["heavy"].email in r)
    assert 'data-testid="flag-far_above_peers"' in heavy
    assert 'data-testid="flag-many_people"' in heavy
    night = next(r for r in rows if seeded["night"].email in r)
    assert 'data-testid="flag-out_of_hours"' in night
    assert text.count('data-testid="flag-') == 3
    assert 'data-testid="reads-chart"' in text
    assert 'role="img"' in text
    assert 'data-testid="table-reads-per-user"' in text  # the chart's data table


@pytest.mark.django_db
def test_the_report_filters_by_organisation_and_period(client, seeded):
    client.force_login(seeded["analyst"])
    code = seeded["outsider"].organisation.code
    text = client.get(reverse("oversight:reads"), {"organisation": code}).content.decode()
    assert text.count('data-testid="reads-row"') == 1
    assert seeded["outsider"].email in text
    long_ago = (timezone.localdate() - timedelta(days=400)).isoformat()
    before = (timezone.localdate() - timedelta(days=300)).isoformat()
    text = client.get(
        reverse("oversight:reads"), {"date_from": long_ago, "date_to": before}
    ).content.decode()
    assert 'data-testid="reads-row"' not in text
    assert "No reads of personal data in this period." in text
    # The period typed in the day, month and year boxes, as the page asks for it.
    start, end = timezone.localdate() - timedelta(days=60), timezone.localdate()
    boxes = {f"date_from-{part}": getattr(start, part) for part in ("day", "month", "year")}
    boxes |= {f"date_to-{part}": getattr(end, part) for part in ("day", "month", "year")}
    text = client.get(reverse("oversight:reads"), boxes).content.decode()
    assert 'data-testid="error-summary"' not in text
    assert f"From {start:%d %B %Y}".replace("From 0", "From ") in text
    assert 'name="date_from-year"' in text


@pytest.mark.django_db
def test_the_csv_download_has_every_user_and_their_flags(client, seeded):
    client.force_login(seeded["analyst"])
    response = client.get(reverse("oversight:reads"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="safeshare-reads-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 7
    heavy = next(r for r in rows if seeded["heavy"].email in r["User"])
    assert (heavy["Reads"], heavy["Distinct people"]) == ("40", "40")
    assert "Reads far above their peers'" in heavy["Flags"]
    night = next(r for r in rows if seeded["night"].email in r["User"])
    assert night["Outside working hours"] == "8"
    assert night["Flags"] == "Many reads outside working hours"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2026-13-01", "date_to": "2026-12-01"}, "Start date must be a real date"),
        (
            {"date_from-day": "1", "date_from-month": "11", "date_to-day": "30"},
            "Start date must include a year",
        ),
        ({"date_from": "2026-12-01", "date_to": "2026-11-01"}, "The end date must be the same"),
        ({"date_from": "2024-01-01", "date_to": "2026-01-01"}, "at most 366 days"),
        ({"date_from": "2026-11-01", "date_to": "2026-11-30", "organisation": "NOPE"}, "valid"),
    ],
)
def test_wrong_filters_are_named(client, seeded, query, message):
    client.force_login(seeded["analyst"])
    response = client.get(reverse("oversight:reads"), query)
    assert response.status_code == 400
    assert 'data-testid="error-summary"' in response.content.decode()
    assert message in response.content.decode()
    assert 'data-testid="reads-row"' not in response.content.decode()
