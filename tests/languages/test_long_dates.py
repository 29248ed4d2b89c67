"""Dates in each language's own form: 14 February 1992 as people write it in each language of
the service. The expected forms are written from each language's usage (the CLDR long date
forms, with Western digits as in the rest of the service's text), not from the output."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from safeshare.kernel.long_dates import PATTERNS, date_in_words, long_date, long_date_time
from tests.languages.catalogues import registry

DAY = dt.date(1992, 2, 14)

EXPECTED = {
    "en": "14 February 1992",
    "cy": "14 Chwefror 1992",
    "ar": "14 فبراير 1992",
    "pl": "14 lutego 1992",
    "ro": "14 februarie 1992",
    "sq": "14 shkurt 1992",
    "vi": "14 tháng 2 năm 1992",
    "bn": "14 ফেব্রুয়ারি, 1992",
    "ur": "14 فروری، 1992",
    "pa": "14 ਫਰਵਰੀ 1992",
    "ti": "14 ለካቲት 1992",
    "fa": "14 فوریه 1992",
    "ckb": "14 شوبات 1992",
    "zh-hans": "1992年2月14日",
    "es": "14 de febrero de 1992",
    "pt": "14 de fevereiro de 1992",
}


def test_every_language_of_the_service_has_its_expected_form_and_pattern():
    codes = {item["code"] for item in registry()}
    assert codes == set(EXPECTED)
    assert codes <= set(PATTERNS)


@pytest.mark.parametrize(("code", "expected"), EXPECTED.items(), ids=list(EXPECTED))
def test_a_full_date_reads_as_the_language_writes_it(code, expected):
    assert long_date(DAY, code) == expected
    with translation.override(code):
        assert long_date(DAY) == expected
        assert Template("{{ day|long_date }}").render(Context({"day": DAY})) == expected
        assert date_in_words("1992-02-14") == expected


@pytest.mark.parametrize(
    ("code", "month_and_year", "year"),
    [
        ("en", "February 1992", "1992"),
        ("zh-hans", "1992年2月", "1992年"),
        ("vi", "tháng 2 năm 1992", "1992"),
        ("pl", "luty 1992", "1992"),
        ("es", "febrero de 1992", "1992"),
        ("pt", "fevereiro de 1992", "1992"),
        ("ar", "فبراير 1992", "1992"),
    ],
)
def test_a_date_known_in_part_reads_as_the_language_writes_it(code, month_and_year, year):
    assert date_in_words("1992-02", code) == month_and_year
    assert date_in_words("1992", code) == year


def test_a_chinese_date_is_never_day_month_name_year():
    """The fault this mends: "24 十一月 2026" from a fixed ``j F Y``."""
    assert long_date(dt.date(2026, 11, 24), "zh-hans") == "2026年11月24日"


def test_a_date_and_time_is_the_local_day_and_time(settings):
    settings.TIME_ZONE = "Europe/London"
    moment = timezone.make_aware(dt.datetime(1992, 7, 14, 23, 30), dt.UTC)  # 00:30 on the 15th
    with timezone.override("Europe/London"):
        assert long_date_time(moment, "en") == "15 July 1992, 00:30"
        assert long_date_time(moment, "zh-hans") == "1992年7月15日 00:30"
        assert long_date(moment, "es") == "15 de julio de 1992"


def test_a_regional_variant_takes_its_languages_form_and_an_unknown_language_english():
    assert long_date(DAY, "en-gb") == "14 February 1992"
    assert long_date(DAY, "pt-br") == "14 de fevereiro de 1992"
    assert long_date(DAY, "xx") == "14 February 1992"


def test_text_that_is_not_a_date_is_shown_as_it_is():
    assert date_in_words("not known") == "not known"
    assert date_in_words("1992-13") == "1992-13"
