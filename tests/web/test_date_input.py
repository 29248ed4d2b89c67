"""The GOV.UK date input names its boxes in the language of the page."""

from __future__ import annotations

import pytest
from django.utils import translation

from safeshare.web.forms import GovukDateInput


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("en", ("Day", "Month", "Year")),
        ("pl", ("Dzień", "Miesiąc", "Rok")),
        ("cy", ("Diwrnod", "Mis", "Blwyddyn")),
        ("ar", ("اليوم", "الشهر", "السنة")),
    ],
)
def test_the_boxes_are_labelled_in_the_pages_language(language, labels):
    with translation.override(language):
        html = GovukDateInput().render("date_of_birth", "1990-02-14")
    for label in labels:
        assert label in html
    assert 'name="date_of_birth-day"' in html
    assert 'value="14"' in html
