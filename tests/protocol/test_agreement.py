"""Field agreement in words for the possible-match page (pure)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from safeshare.protocol.agreement import (
    Agreement,
    best,
    compare_dates_of_birth,
    compare_field,
    compare_names,
    hold_sentence,
)

FIELDS = ["given_names", "family_name", "date_of_birth", "nationality", "passport_number"]
names = st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=20)


@given(st.sampled_from(FIELDS), names)
def test_a_value_agrees_with_itself(field, value):
    assert compare_field(field, value, value) in {Agreement.SAME, Agreement.MISSING}


@given(st.sampled_from(FIELDS), names, names)
def test_agreement_does_not_depend_on_the_side(field, left, right):
    assert compare_field(field, left, right) == compare_field(field, right, left)


def test_names_in_words():
    assert compare_names(["Begum"], ["BEGUM"]) is Agreement.SAME
    assert compare_names(["Fátima"], ["Fatima"]) is Agreement.SAME
    assert compare_names(["Begum"], ["Begom"]) is Agreement.SIMILAR
    assert compare_names(["Begum"], ["Kowalska"]) is Agreement.DIFFERENT
    assert compare_names([], ["Begum"]) is Agreement.MISSING
    assert compare_field("aliases", ["Fatima Begum", "Mst Fatema"], "mst fatema") is Agreement.SAME


def test_dates_of_birth_agree_as_far_as_both_are_known():
    assert compare_dates_of_birth("1991-03-14", "1991-03-14") is Agreement.SAME
    assert compare_dates_of_birth("1991", "1991-03-14") is Agreement.SIMILAR
    assert compare_dates_of_birth("1991-03-14", "1991-03-15") is Agreement.SIMILAR  # one digit
    assert compare_dates_of_birth("1991-03-04", "1991-04-03") is Agreement.SIMILAR  # swapped
    assert compare_dates_of_birth("1991-03-14", "1985-07-02") is Agreement.DIFFERENT
    assert compare_dates_of_birth("", "1991") is Agreement.MISSING


def test_unknown_and_missing_values_are_not_compared():
    assert compare_field("sex", "unknown", "female") is Agreement.MISSING
    assert compare_field("nationality", "", "BGD") is Agreement.MISSING
    assert compare_field("passport_number", "BD123456", "BD123457") is Agreement.SIMILAR


def test_the_hold_in_one_sentence():
    labels = {"family_name": "Family name", "date_of_birth": "Date of birth", "sex": "Sex"}
    sentence = hold_sentence(
        {
            "family_name": Agreement.SIMILAR,
            "date_of_birth": Agreement.SAME,
            "sex": Agreement.DIFFERENT,
        },
        labels,
    )
    assert sentence == (
        "The date of birth is the same and the family name is similar, but the sex is different."
    )
    plural = hold_sentence(
        {"given_names": Agreement.DIFFERENT, "family_name": Agreement.SIMILAR},
        {"given_names": "Given names", "family_name": "Family name"},
    )
    assert plural == "The family name is similar, but the given names are different."
    assert best([Agreement.DIFFERENT, Agreement.SIMILAR, Agreement.MISSING]) is Agreement.SIMILAR
