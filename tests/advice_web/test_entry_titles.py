"""Every entry about an override is said to the person in words of its own, in every language,
never as the catch-all "Something was recorded about you"."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from safeshare.advice.disclosures import describe_entry
from safeshare.advice.texts import ENTRY_TITLES, OTHER_ENTRY_TITLE, SHARED_WITH_OTHERS
from safeshare.ledger.entries import EntryKind

pytestmark = pytest.mark.django_db

OVERRIDE_KINDS = [kind.value for kind in EntryKind if kind.value.startswith("override_")]


def test_every_override_entry_has_its_own_title():
    assert "override_withdrawn" in OVERRIDE_KINDS
    for kind in OVERRIDE_KINDS:
        assert kind in ENTRY_TITLES, kind
        assert kind in SHARED_WITH_OTHERS, kind


def test_a_withdrawn_override_request_is_told_to_the_person():
    title, _by, _details = describe_entry({"kind": "override_withdrawn", "payload": {}})
    assert title == (
        "Immigration Enforcement withdrew its request to act even though you are protected"
    )


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES if code != "en"])
def test_the_withdrawn_title_is_translated(language):
    with translation.override(language):
        title, _by, _details = describe_entry({"kind": "override_withdrawn", "payload": {}})
        assert title != str(OTHER_ENTRY_TITLE)
    assert title != str(ENTRY_TITLES["override_withdrawn"])
