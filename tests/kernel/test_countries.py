"""The kernel's country list: ISO 3166-1 and the ICAO travel-document codes, and the words
people write for a nationality. Pure."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from safeshare.kernel.countries import countries, country_name, nationality_words


def test_iso_and_icao_codes_are_known():
    table = countries()
    assert len(table) >= 249
    for code in ("GBR", "AFG", "ERI", "VNM", "XKX", "XXA", "XXB", "XXC"):
        assert table[code].code == code
    assert "GB" in table["GBR"].other_names


def test_every_nationality_word_names_a_known_code():
    unknown = [(word, code) for word, code in nationality_words() if code not in countries()]
    assert unknown == []


def test_names_for_people():
    assert country_name("GBR") == "United Kingdom"
    assert country_name("bol") == "Bolivia"
    assert country_name("XKX") == "Kosovo"
    assert country_name("XXA") == "Stateless person"


@given(st.text(max_size=5))
def test_an_unknown_code_is_shown_as_given(text):
    if text.upper() not in countries():
        assert country_name(text) == text
