"""Blocking keys: several independent ways for a true candidate to be found.

Every identity is indexed under these keys (``k`` = phonetic key of a name token, see
``names.key_tokens``; pairs are unordered and taken within one name, primary or alias):

========  ===========================  ==============================================
prefix    key                          survives
========  ===========================  ==============================================
``t:``    one token                    everything but a typo in that token (rare
                                       names only: common tokens exceed the cap)
``n:``    two tokens                   order swap, missing or wrong date, extra or
                                       missing tokens, typo in a third token
``y:``    two tokens + birth year      as ``n:`` for common names; queried at year
          (``-`` when unknown)         ±1 (±2 for partial dates) and ``-``
``d:``    one token + full date        typo in any other token; day/month swap
                                       (day and month are sorted when both ≤ 12)
``e:``    one token + day and month    as ``d:`` with a wrong year as well (a slip
          (full dates)                 in the year's digits, an age dispute)
``i:``    two initials + full date     typos or transliteration in every token,
                                       order swap
``b:``    one token + birth year       a typo in, or replacement of, every other
                                       token (father's name as family name), with a
                                       wrong day or month or an estimated date;
                                       queried at the same year for a full date,
                                       ±2 for a partial one; common tokens exceed
                                       the cap
``n:``    two tokens, one of them      a misspelt token beside a common one, with no
(near)    a register token one edit    date or a wrong one (``Mohammed Irofazser`` /
          from the subject's           ``Mohammed Irofaaser``): queried only, when the
                                       source offers ``similar_tokens``
``p:``    passport number              any name or date error
``h:``    Home Office reference        any name or date error
========  ===========================  ==============================================

``blocking_keys`` gives the keys an identity is stored under; ``query_keys`` the (larger) set
a subject looks up. A key shared by more than ``key_cap`` register identities is not used to
fetch candidates (see ``Matcher``): the other keys still find a true candidate, and a subject
too thin to use them (name only, common name) is held rather than cleared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import combinations
from typing import TYPE_CHECKING

from safeshare.matching.names import key_tokens

if TYPE_CHECKING:  # annotations only: record imports blocking, not the other way round
    from safeshare.matching.record import PreparedIdentity

__all__ = [
    "KEY_SET_VERSION",
    "blocking_keys",
    "day_month_key",
    "name_key_sets",
    "near_keys",
    "query_keys",
]

#: The version of the set of keys ``blocking_keys`` stores for an identity. Raise it whenever
#: a change to this module or to normalisation changes the stored keys (a new key kind, a
#: token normalised differently): a register built under another version is prepared again
#: (``register rebuild``), which the worker does by itself (ADR 39). 1: the keys before
#: ADR 29; 2: with ``e:`` (one token with the day and month of birth); 3: with the keys of
#: the other readings of a name (ADR 51): Wade–Giles Latin names read in pinyin, and Han
#: characters read in Wade–Giles and Cantonese (``n:``, ``y:`` and ``d:`` keys only, of
#: single syllables).
KEY_SET_VERSION = 3


def day_month_key(month: int, day: int) -> str:
    """Day and month as four digits, order-free when either could be the other."""
    if month <= 12 and day <= 12:
        month, day = min(month, day), max(month, day)
    return f"{month:02d}{day:02d}"


def name_key_sets(prepared: PreparedIdentity) -> list[frozenset[str]]:
    """The phonetic keys of each name as written (primary, then aliases), without the other
    readings of Han characters: those would count Cantonese and Wade–Giles syllables among
    the register's names and make the names of everyone else look more common."""
    return [
        key_tokens(tokens)
        for k, tokens in enumerate(prepared.names)
        if not prepared.han_readings >> k & 1
    ]


def _keys(
    prepared: PreparedIdentity, years: tuple[str, ...], token_years: tuple[str, ...]
) -> frozenset[str]:
    keys: set[str] = set()
    year, month, day = prepared.date_of_birth
    full = prepared.has_full_date_of_birth
    date = f"{year}{day_month_key(month, day)}" if full else ""
    day_month = day_month_key(month, day) if full else ""
    if full:
        for k, names in enumerate(prepared.names):
            if prepared.han_readings >> k & 1:
                continue
            initials = sorted({t[0] for t in names})
            if len(initials) == 1:
                keys.add(f"i:{initials[0]}|{date}")
            for a, b in combinations(initials, 2):
                keys.add(f"i:{a}{b}|{date}")
    for k, names in enumerate(prepared.names):
        written = not prepared.han_readings >> k & 1
        # A reading's short syllables run together would make keys of unrelated names
        # (Cantonese ``wa yang`` gives the key of ``wang``).
        tokens = key_tokens(names, joined=written)
        if len(tokens) == 1 and len(names) > 1:  # Lei Li, Hossain Hossain: one key, twice
            (token,) = tokens
            keys.add(f"n:{token}|{token}")
            for y in years:
                keys.add(f"y:{token}|{token}|{y}")
        for token in tokens:
            if full:
                keys.add(f"d:{token}|{date}")
            # The other readings of Han characters are found by two tokens, or one with the
            # full date: one-token keys are counted as name frequencies, and a reading with a
            # wrong year or only initials would fetch namesakes in another romanisation.
            if not written:
                continue
            keys.add(f"t:{token}")
            for y in token_years:
                keys.add(f"b:{token}|{y}")
            if full:
                keys.add(f"e:{token}|{day_month}")
        for a, b in combinations(sorted(tokens), 2):
            keys.add(f"n:{a}|{b}")
            for y in years:
                keys.add(f"y:{a}|{b}|{y}")
    if prepared.passport_number:
        keys.add(f"p:{prepared.passport_number}")
    if prepared.home_office_reference:
        keys.add(f"h:{prepared.home_office_reference}")
    return frozenset(keys)


def blocking_keys(prepared: PreparedIdentity) -> frozenset[str]:
    """The keys under which a register identity is indexed."""
    year = prepared.date_of_birth[0]
    return _keys(prepared, (str(year) if year else "-",), (str(year),) if year else ())


def query_keys(prepared: PreparedIdentity) -> frozenset[str]:
    """The keys a subject looks up: its own, with the birth year widened (±1, or ±2 for a
    partial or 1 January date) and register rows without a date of birth included."""
    year = prepared.date_of_birth[0]
    if not year:
        return blocking_keys(prepared)
    full = prepared.has_full_date_of_birth
    spread = 1 if full else 2
    widened = tuple(str(year + d) for d in range(-spread, spread + 1))
    # A full date with a wrong year is found by ``e:`` (and ``y:``); one token with every
    # year around a full date would fetch hundreds of namesakes of a mid-frequency name.
    return _keys(prepared, (*widened, "-"), (str(year),) if full else widened)


def near_keys(prepared: PreparedIdentity, similar: Mapping[str, Iterable[str]]) -> frozenset[str]:
    """Pair keys (``n:``) with one of the subject's tokens replaced by a register token one
    edit away (``similar``: from ``InMemoryRegister.similar_tokens``), so that one common
    token and one misspelt token still find the person when no key with a date can."""
    keys: set[str] = set()
    for tokens in name_key_sets(prepared):
        for token in tokens:
            for other in similar.get(token, ()):
                for kept in tokens:
                    if kept != token and kept != other:
                        a, b = sorted((kept, other))
                        keys.add(f"n:{a}|{b}")
    return frozenset(keys)
