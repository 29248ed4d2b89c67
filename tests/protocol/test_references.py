"""Protection public references: format, entropy, normalisation and the check character."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeshare.protocol import references
from safeshare.protocol.references import (
    ALPHABET,
    DATA_LENGTH,
    ReferenceFormatError,
    is_valid_reference,
    new_reference,
    normalise_reference,
)

SHAPE = re.compile(
    r"^PR-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-"
    r"[0-9A-HJKMNP-TV-Z]$"
)
bits = st.integers(min_value=0, max_value=2**60 - 1)


def reference_from(number: int, monkeypatch) -> str:
    monkeypatch.setattr(references.secrets, "randbits", lambda k: number % (1 << k))
    return new_reference()


def compact(reference: str) -> str:
    return reference.removeprefix("PR-").replace("-", "")


def test_a_new_reference_has_the_readable_shape_and_is_valid():
    reference = new_reference()
    assert SHAPE.match(reference), reference
    assert is_valid_reference(reference)


def test_references_carry_at_least_60_random_bits_from_secrets(monkeypatch):
    assert DATA_LENGTH * 5 >= 60
    seen = []
    monkeypatch.setattr(references.secrets, "randbits", lambda k: seen.append(k) or 0)
    assert compact(new_reference())[:-1] == "0" * DATA_LENGTH
    assert seen == [60]


def test_fresh_references_differ():
    assert len({new_reference() for _ in range(2000)}) == 2000


@given(bits)
def test_the_data_encodes_the_random_number(number):
    with pytest.MonkeyPatch.context() as patch:
        data = compact(reference_from(number, patch))[:-1]
    assert int("".join(f"{ALPHABET.index(c):05b}" for c in data), 2) == number


@given(bits, st.integers(0, DATA_LENGTH), st.integers(1, 31))
def test_any_single_character_error_is_caught(number, position, shift):
    with pytest.MonkeyPatch.context() as patch:
        chars = list(compact(reference_from(number, patch)))
    chars[position] = ALPHABET[(ALPHABET.index(chars[position]) + shift) % 32]
    assert not is_valid_reference("".join(chars))


@given(bits, st.integers(0, DATA_LENGTH - 1))
def test_any_swap_of_adjacent_characters_is_caught(number, position):
    with pytest.MonkeyPatch.context() as patch:
        chars = list(compact(reference_from(number, patch)))
    if chars[position] == chars[position + 1]:
        return
    chars[position], chars[position + 1] = chars[position + 1], chars[position]
    assert not is_valid_reference("".join(chars))


def test_every_single_error_and_adjacent_swap_is_caught_exhaustively_for_one_reference():
    chars = list(compact(new_reference()))
    for position in range(len(chars)):
        for replacement in ALPHABET:
            if replacement != chars[position]:
                changed = chars.copy()
                changed[position] = replacement
                assert not is_valid_reference("".join(changed))
    for a in range(32):
        for b in range(32):
            if a != b:
                data = list(compact(new_reference()))
                data[5], data[6] = ALPHABET[a], ALPHABET[b]
                fixed = "".join(data[:-1])
                good = normalise_reference(fixed + references._check_character(fixed))
                swapped = list(compact(good))
                swapped[5], swapped[6] = swapped[6], swapped[5]
                assert not is_valid_reference("".join(swapped))


@given(bits, st.data())
def test_how_a_reference_is_typed_or_read_aloud_does_not_matter(number, data):
    with pytest.MonkeyPatch.context() as patch:
        reference = reference_from(number, patch)
    typed = []
    for char in reference:
        if char == "-":
            typed.append(data.draw(st.sampled_from(["-", " ", "", " - "])))
        elif char == "1":
            typed.append(data.draw(st.sampled_from(["1", "I", "i", "L", "l"])))
        elif char == "0":
            typed.append(data.draw(st.sampled_from(["0", "O", "o"])))
        else:
            typed.append(data.draw(st.sampled_from([char, char.lower()])))
    text = "".join(typed)
    assert normalise_reference(text) == reference
    assert is_valid_reference(text)
    assert normalise_reference(compact(reference)) == reference


@pytest.mark.parametrize(
    "text",
    [
        "",
        "PR-",
        "PR-7K3D-QX9M-2VHT",
        "PR-7K3D-QX9M-2VHT-AA-B",
        "PR-7K3D-QX9M-2VHT-U",
        "PR-7K3D-QX9M-2VH!-A",
    ],
)
def test_malformed_references_are_refused(text):
    assert not is_valid_reference(text)
    with pytest.raises(ReferenceFormatError):
        normalise_reference(text)
