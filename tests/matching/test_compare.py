"""Comparison levels: names, dates, documents, address."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from safeshare.matching.compare import (
    ADDRESS_LEVELS,
    DOB_LEVELS,
    MISSING,
    NAME_LEVELS,
    compare_address,
    compare_dob,
    compare_document,
    compare_names,
    compare_nationality,
    compare_value,
)
from safeshare.matching.names import name_tokens


def level(a: str, b: str, *aliases: str) -> str:
    subject = (name_tokens(a),)
    candidate = (name_tokens(b), *(name_tokens(x) for x in aliases))
    return NAME_LEVELS[compare_names(subject, candidate).level]


def test_name_levels():
    assert level("Nguyen Van An", "An Van Nguyen") == "exact"
    assert level("Fatema Begum", "Mst Fatimma Begom") == "all_phonetic"
    assert level("Maria Garcia Lopez", "Maria Garcia") == "all_phonetic"
    assert level("Jon Smiht", "John Smith") == "all_fuzzy"
    assert level("Wang Xiaoming", "王小明") == "all_phonetic"
    assert level("Gebremedhin Tesfay", "Gebre Medhin Tesfay") == "all_phonetic"
    assert level("Ali Hassan Khan", "Ali Hassan Malik") == "two_plus"
    assert level("Ali Khan", "Ali Hassan") == "one"
    assert level("Rabia But", "Rabia Butta") == "one_near"  # alike, not a typo or a spelling
    assert level("Ngozi Okonkwo", "Ngozi Okwuosa") == "one"
    assert level("Ali Hassan Khan", "Ali Omar Farouk") == "one_two_differ"
    assert level("Ali Khan", "Ali Omar Farouk") == "one"  # one token left over on one side
    assert level("Ali", "Ali Omar Farouk") == "one"
    assert level("Ali Khan", "Omar Malik") == "none"


def test_an_alias_is_a_name_in_its_own_right():
    assert level("Grace Okafor", "Ngozi Adeyemi", "Grace Okafor") == "exact"
    subject = (name_tokens("Ngozi Adeyemi"), name_tokens("Grace Okafor"))
    assert NAME_LEVELS[compare_names(subject, (name_tokens("Grace Okafor"),)).level] == "exact"


names = st.lists(
    st.sampled_from(["ali", "khan", "fatima", "nguyen", "an", "wang", "li", "maria"]),
    min_size=1,
    max_size=4,
)


@given(names, names)
def test_name_comparison_ignores_token_order(a, b):
    forward = compare_names((tuple(a),), (tuple(b),)).level
    assert compare_names((tuple(reversed(a)),), (tuple(b),)).level == forward
    assert compare_names((tuple(a),), (tuple(reversed(b)),)).level == forward


@given(names, names)
def test_name_comparison_is_symmetric_in_level(a, b):
    assert (
        compare_names((tuple(a),), (tuple(b),)).level
        == compare_names((tuple(b),), (tuple(a),)).level
    )


dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31))


def dob(text: str) -> str:
    from safeshare.matching.fields import parse_date_of_birth

    return parse_date_of_birth(text)


def dob_level(a: str | None, b: str | None) -> str:
    result = compare_dob(dob(a), dob(b))
    return "missing" if result == MISSING else DOB_LEVELS[result]


def test_date_of_birth_levels():
    assert dob_level("1990-03-04", "1990-03-04") == "exact"
    assert dob_level("1990-03-04", "1990-04-03") == "exact"  # day/month swapped
    assert dob_level("1990-03-04", "1990-03-05") == "one_edit"
    assert dob_level("1990-03-04", "1909-03-04") == "one_edit_year"  # transposed digits
    assert dob_level("1990-03-04", "1991-03-04") == "one_edit_year"
    assert dob_level("1990-03-04", "1990-04-04") == "one_edit"  # the month, not the year
    assert dob_level("1990-03-04", "1987-03-04") == "day_month_year_near"
    assert dob_level("1990-03-04", "1990-07-21") == "same_year"
    assert dob_level("1990-03-04", "1992-07-21") == "year_near"
    assert dob_level("1990-01-01", "1990-07-21") == "partial_same_year"  # 1 January
    assert dob_level("1990", "1991-07-21") == "partial_year_near"
    assert dob_level("1990-01-01", "1994-07-21") == "partial_year_far"  # age dispute
    assert dob_level("1990-03-04", "1970-07-21") == "diff"
    assert dob_level(None, "1970-07-21") == "missing"


def test_a_different_day_in_the_same_month_is_its_own_level():
    assert dob_level("1990-03-14", "1990-03-27") == "same_month"
    assert dob_level("1990-03-14", "1990-03-01") == "same_month"  # the 1st for an unknown day
    assert dob_level("1990-03", "1990-03-27") == "same_month"  # no day on one side
    assert dob_level("1990-03", "1990-03") == "same_month"
    assert dob_level("1990-03-14", "1990-14-03") == "exact"
    assert dob_level("1990-01-01", "1990-01-20") == "partial_same_year"  # 1 January: estimated
    assert dob_level("1990", "1990-03-27") == "partial_same_year"
    assert dob_level("1990-03-14", "1991-03-27") == "year_near"
    assert dob_level("1990-03", "1990-07-21") == "partial_same_year"


@given(dates, st.integers(min_value=1, max_value=28))
def test_the_same_year_and_month_is_never_a_different_date_of_birth(a, day):
    b = a.replace(day=day)
    if a.month == 1 and 1 in (a.day, b.day):
        return  # 1 January is an estimated date, weighed apart
    assert dob_level(a.isoformat(), b.isoformat()) in ("exact", "one_edit", "same_month")
    assert dob_level(f"{a.year}-{a.month:02d}", b.isoformat()) == "same_month"


@given(dates, dates)
def test_a_month_only_date_compares_the_same_in_either_order(a, b):
    month_only = f"{a.year}-{a.month:02d}"
    assert compare_dob(dob(month_only), dob(b.isoformat())) == compare_dob(
        dob(b.isoformat()), dob(month_only)
    )


@given(dates, dates)
def test_day_month_swap_never_changes_the_date_level(a, b):
    if a.day > 12:
        return
    swapped = f"{a.year}-{a.day:02d}-{a.month:02d}"
    assert compare_dob(dob(swapped), dob(b.isoformat())) == compare_dob(
        dob(a.isoformat()), dob(b.isoformat())
    )


@given(dates, dates)
def test_date_comparison_is_symmetric(a, b):
    assert compare_dob(dob(a.isoformat()), dob(b.isoformat())) == compare_dob(
        dob(b.isoformat()), dob(a.isoformat())
    )


def test_documents_and_values():
    assert compare_document("AB123456", "AB123456") == 0
    assert compare_document("AB123456", "AB123465") == 1
    assert compare_document("AB123456", "ZZ999999") == 2
    assert compare_document("", "AB123456") == MISSING
    assert compare_value("PAK", "PAK") == 0
    assert compare_value("PAK", "BGD") == 1
    assert compare_value("", "BGD") == MISSING


NO_STATE = ["XXA", "XXB", "XXC", "?kurdish", "?bidoon jinsiya"]
STATES = ["SYR", "IRQ", "KWT", "PSE", "XKX", "GBR"]


def test_a_stateless_or_unknown_nationality_is_no_evidence_against_another():
    assert compare_nationality("XXA", "SYR") == MISSING
    assert compare_nationality("?kurdish", "IRQ") == MISSING
    assert compare_nationality("XXA", "XXB") == MISSING
    assert compare_nationality("XXA", "XXA") == 0
    assert compare_nationality("?kurdish", "?kurdish") == 0
    assert compare_nationality("SYR", "IRQ") == 1
    assert compare_nationality("", "SYR") == MISSING


@given(st.sampled_from(NO_STATE + STATES + [""]), st.sampled_from(NO_STATE + STATES + [""]))
def test_nationality_never_disagrees_for_a_stateless_or_unknown_value(a, b):
    level = compare_nationality(a, b)
    assert level == compare_nationality(b, a)
    if a in NO_STATE or b in NO_STATE:
        assert level != 1
        assert level == (0 if a == b else MISSING)


def test_address_is_one_comparison():
    def lv(*args):
        result = compare_address(*args)
        return "missing" if result == MISSING else ADDRESS_LEVELS[result]

    assert lv("12 high st", "E16AN", "12 high st", "E16AN") == "same_address"
    assert lv("", "E16AN", "4 park rd", "E16AN") == "same_postcode"
    assert lv("", "E16AN", "", "E16BX") == "same_sector"
    assert lv("", "E16AN", "", "E17BX") == "same_district"
    assert lv("", "E16AN", "", "N79QQ") == "diff"
    assert lv("", "", "12 high st", "E16AN") == "missing"
