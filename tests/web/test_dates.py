"""Dates as people type and read them: the GOV.UK date input's parts, and dates in words."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from safeshare.web.forms import date_parts_problem, split_date
from safeshare.web.templatetags.govuk import date_in_words


def test_dates_of_birth_in_words():
    assert date_in_words("1991-03-14") == "14 March 1991"
    assert date_in_words("1991-03") == "March 1991"
    assert date_in_words("1991") == "1991"
    assert date_in_words(dt.date(2026, 2, 1)) == "1 February 2026"
    assert date_in_words("") == ""
    assert date_in_words("1991-13") == "1991-13"  # not a date: shown as it is


@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))
def test_a_full_date_goes_round_the_date_input(day):
    parts = split_date(day.isoformat())
    assert parts == [str(day.day), str(day.month), str(day.year)]
    assert date_parts_problem("Date", parts, partial=False) is None
    assert date_in_words(day.isoformat()) == date_in_words(day)


def test_what_is_wrong_with_typed_dates_in_the_patterns_words():
    assert date_parts_problem("Date of birth", ["", "", ""], partial=True) == (
        "Date of birth must include a year"
    )
    assert date_parts_problem("Date of birth", ["14", "", "1991"], partial=True) == (
        "Date of birth must include a month"
    )
    assert date_parts_problem("The date", ["", "", "2026"], partial=False) == (
        "The date must include a day and month"
    )
    assert date_parts_problem("The date", ["31", "2", "2026"], partial=False) == (
        "The date must be a real date"
    )
    assert date_parts_problem("The date", ["3", "2", "26"], partial=False) == (
        "Year must include 4 numbers"
    )
    assert date_parts_problem("Date of birth", ["", "3", "1991"], partial=True) is None


def test_typed_dates_are_split_into_day_month_and_year():
    assert split_date("14/2/1992") == ["14", "2", "1992"]
    assert split_date("1992-02") == ["", "2", "1992"]
    assert split_date(["1", "2", "1999"]) == ["1", "2", "1999"]
    assert split_date("soon") == ["", "", "soon"]
