"""The matcher's record of a person's canonical identity fields."""

from __future__ import annotations

from safeshare.register.service import record_from_fields


def test_aliases_are_kept_as_names() -> None:
    record = record_from_fields({"given_names": "Ana", "aliases": ["Ana Maria", "Anna"]})
    assert record.aliases == ("Ana Maria", "Anna")


def test_a_lone_alias_string_is_one_alias_not_one_per_letter() -> None:
    assert record_from_fields({"aliases": "Ana Maria"}).aliases == ("Ana Maria",)


def test_no_aliases() -> None:
    assert record_from_fields({"aliases": None}).aliases == ()
    assert record_from_fields({}).aliases == ()
