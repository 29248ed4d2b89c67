"""Per-field comparison levels between a subject and a candidate.

Each comparison returns the index of a level in its ``*_LEVELS`` tuple, or ``MISSING`` (-1)
when either side lacks the field (a missing field is no evidence either way: weight 0).
Every comparison is symmetric, order-free for names, and invariant to day/month swaps.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from safeshare.matching.fields import PartialDate
from safeshare.matching.names import EXACT, PHONETIC, token_agreement

__all__ = [
    "ADDRESS_LEVELS",
    "DOB_LEVELS",
    "DOB_PARTIAL_LEVELS",
    "DOCUMENT_LEVELS",
    "FIELDS",
    "LEVELS",
    "MISSING",
    "NAME_LEVELS",
    "NAME_TOKEN_LEVELS",
    "NameComparison",
    "compare_address",
    "compare_dob",
    "compare_document",
    "compare_names",
    "compare_nationality",
    "compare_value",
]

MISSING = -1

NAME_LEVELS = (
    "exact",  # same tokens, any order
    "all_phonetic",  # every token of the shorter name agrees exactly or phonetically
    "all_fuzzy",  # every token of the shorter name agrees, at least one only by a typo/initial
    "two_plus",  # two or more tokens agree, each name has others that do not
    "one_near",  # one token agrees, and one left over on each side is alike (ADR 49)
    "one",  # one token agrees exactly or phonetically
    "one_two_differ",  # ... and each name has two or more other tokens that agree with nothing
    "one_fuzzy",  # one token agrees by a typo or an initial
    "none",
)
DOB_LEVELS = (
    "exact",  # same date (day and month in either order)
    "one_edit",  # the same year, one digit of the day or month wrong (or two transposed)
    "one_edit_year",  # the same day and month, one digit of the year wrong (or two transposed)
    "day_month_year_near",  # same day and month, year within 5
    "same_month",  # same year and month, another (or an unknown, or the 1st as a stand-in) day
    "same_year",  # full dates, same year, different day/month
    "year_near",  # full dates, year within 2
    "partial_same_year",  # a year-only or 1 January date on either side, same year
    "partial_year_near",  # ... year within 2
    "partial_year_far",  # ... year within 5 (age disputes)
    "diff",  # full dates that differ more than the levels above
    "partial_diff",  # a year-only or 1 January date on either side, years more than 5 apart
)
#: The levels of a comparison with a year-only or 1 January date on either side. Whether a
#: date is estimated says how it was recorded, not who the person is, so the model weighs
#: these levels given that a date was estimated (``model.MatchModel``).
DOB_PARTIAL_LEVELS = frozenset(
    DOB_LEVELS.index(x)
    for x in ("partial_same_year", "partial_year_near", "partial_year_far", "partial_diff")
)
BINARY_LEVELS = ("agree", "disagree")
DOCUMENT_LEVELS = ("exact", "one_edit", "diff")
ADDRESS_LEVELS = (
    "same_address",  # same (or nearly the same) address line, postcode not contradicting
    "same_postcode",  # same full postcode
    "same_sector",  # same postcode sector (e.g. E1 6), or the same address line alone
    "same_district",  # same outward code (e.g. E1)
    "diff",
)

LEVELS: dict[str, tuple[str, ...]] = {
    "name": NAME_LEVELS,
    "dob": DOB_LEVELS,
    "sex": BINARY_LEVELS,
    "nationality": BINARY_LEVELS,
    "passport": DOCUMENT_LEVELS,
    "home_office_reference": DOCUMENT_LEVELS,
    "address": ADDRESS_LEVELS,
}
FIELDS = tuple(LEVELS)

(
    NAME_EXACT,
    NAME_ALL_PHONETIC,
    NAME_ALL_FUZZY,
    NAME_TWO_PLUS,
    NAME_ONE_NEAR,
    NAME_ONE,
    NAME_ONE_TWO_DIFFER,
    NAME_ONE_FUZZY,
    NAME_NONE,
) = range(len(NAME_LEVELS))
#: Name levels whose agreement is on whole tokens (exactly or phonetically), so that the
#: agreeing name can be counted in the register and weighed against its frequency.
NAME_TOKEN_LEVELS = frozenset(
    (NAME_EXACT, NAME_ALL_PHONETIC, NAME_TWO_PLUS, NAME_ONE_NEAR, NAME_ONE, NAME_ONE_TWO_DIFFER)
)
(
    DOB_EXACT,
    DOB_ONE_EDIT,
    DOB_ONE_EDIT_YEAR,
    DOB_DAY_MONTH_YEAR_NEAR,
    DOB_SAME_MONTH,
    DOB_SAME_YEAR,
    DOB_YEAR_NEAR,
    DOB_PARTIAL_SAME_YEAR,
    DOB_PARTIAL_YEAR_NEAR,
    DOB_PARTIAL_YEAR_FAR,
    DOB_DIFF,
    DOB_PARTIAL_DIFF,
) = range(len(DOB_LEVELS))
#: Nationality values that say nothing about which state a person belongs to: ICAO 9303
#: stateless (XXA), refugee (XXB, XXC). With free text (``?…``) they are no evidence either
#: way against another value; two records with the same value still agree.
_NO_STATE = frozenset(["XXA", "XXB", "XXC"])


@dataclass(frozen=True, slots=True)
class NameComparison:
    """The best agreement between any name of the subject and any name of the candidate."""

    level: int
    matched: int  # tokens paired
    subject_name: int  # which of the subject's names (0 = primary)
    candidate_name: int
    strong_tokens: tuple[str, ...]  # subject tokens agreeing exactly or phonetically


def _join(
    short: tuple[str, ...], long_: tuple[str, ...], used_s: int, used_l: int
) -> tuple[int, int, list[tuple[int, int]]]:
    """Pair free tokens of ``short`` with two adjacent free tokens of ``long_`` run together
    (Xiaoming / Xiao Ming, Gebremedhin / Gebre Medhin)."""
    joins: list[tuple[int, int]] = []
    for i, token in enumerate(short):
        if used_s >> i & 1:
            continue
        size, first = len(token), token[0]
        for j in range(len(long_) - 1):
            if used_l >> j & 3:
                continue
            left, right = long_[j], long_[j + 1]
            if abs(len(left) + len(right) - size) > 2 or first not in (left[0], right[0]):
                continue
            if (
                token_agreement(token, left + right) >= PHONETIC
                or token_agreement(token, right + left) >= PHONETIC
            ):
                used_s |= 1 << i
                used_l |= 3 << j
                joins.append((i, j))
                break
    return used_s, used_l, joins


_ALIGN_CACHE: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[int, int, tuple[str, ...]]] = {}


def _align(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[int, int, tuple[str, ...]]:
    """Cached ``_align_names``: names repeat across a register, so most pairs recur."""
    key = (a, b)
    cached = _ALIGN_CACHE.get(key)
    if cached is None:
        if len(_ALIGN_CACHE) > 1_000_000:
            _ALIGN_CACHE.clear()
        cached = _ALIGN_CACHE[key] = _align_names(a, b)
    return cached


def _align_names(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[int, int, tuple[str, ...]]:
    """Greedy token alignment of two names; returns (level, tokens matched, strong tokens of
    ``a``, i.e. those agreeing exactly or phonetically)."""
    pairs = []
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            strength = token_agreement(x, y)
            if strength:
                pairs.append((strength, i, j))
    used_a = used_b = 0
    matched = exact = 0
    weakest = EXACT
    strong: list[str] = []
    joined = False
    pairs.sort(reverse=True)
    fuzzy_from = len(pairs)
    for n, (strength, i, j) in enumerate(pairs):
        if strength < PHONETIC:
            fuzzy_from = n
            break
        if used_a >> i & 1 or used_b >> j & 1:
            continue
        used_a |= 1 << i
        used_b |= 1 << j
        matched += 1
        if strength == EXACT:
            exact += 1
        else:
            weakest = PHONETIC
        strong.append(a[i])
    if len(a) - used_a.bit_count() and len(b) - used_b.bit_count() and len(a) + len(b) > 2:
        used_a, used_b, joins = _join(a, b, used_a, used_b)
        strong.extend(a[i] for i, _ in joins)
        used_b, used_a, joins_b = _join(b, a, used_b, used_a)
        strong.extend(a[j] + a[j + 1] for _, j in joins_b)
        joined = bool(joins or joins_b)
        matched += len(joins) + len(joins_b)
    for strength, i, j in pairs[fuzzy_from:]:
        if used_a >> i & 1 or used_b >> j & 1:
            continue
        used_a |= 1 << i
        used_b |= 1 << j
        matched += 1
        weakest = min(weakest, strength)
    free_a = len(a) - used_a.bit_count()
    free_b = len(b) - used_b.bit_count()
    if matched >= 2:
        if not free_a and not free_b and exact == matched and not joined:
            level = NAME_EXACT
        elif not free_a or not free_b:
            level = NAME_ALL_PHONETIC if weakest >= PHONETIC else NAME_ALL_FUZZY
        else:
            level = NAME_TWO_PLUS
    elif matched == 1 and weakest < PHONETIC:
        level = NAME_ONE_FUZZY
    elif matched == 1:
        # One token shared and two or more on each side that agree with nothing (Ali Hassan
        # Khan / Ali Omar Farouk) is how two different people with a common name look; a
        # true record with one token agreeing has usually dropped or replaced one token
        # (ADR 40).
        if min(free_a, free_b) >= 2:
            level = NAME_ONE_TWO_DIFFER
        elif _alike(a, b, used_a, used_b):
            level = NAME_ONE_NEAR
        else:
            level = NAME_ONE
    else:
        level = NAME_NONE
    return level, matched, tuple(strong)


#: Two tokens left over beside one that agrees are alike at this Jaro–Winkler similarity:
#: a spelling the phonetic and typo rules did not catch (Rabia But / Rabia Bitt, Hiwet
#: Tesfay / Hiwet Tesfaye Gebre), which a different person's other name rarely is (ADR 49).
ALIKE_SIMILARITY = 0.8


def _alike(a: tuple[str, ...], b: tuple[str, ...], used_a: int, used_b: int) -> bool:
    """Whether a token of ``a`` and one of ``b`` that agree with nothing are still alike."""
    free_a = [x for i, x in enumerate(a) if not used_a >> i & 1 and len(x) >= 2]
    free_b = [y for j, y in enumerate(b) if not used_b >> j & 1 and len(y) >= 2]
    return any(
        JaroWinkler.normalized_similarity(x, y, score_cutoff=ALIKE_SIMILARITY) >= ALIKE_SIMILARITY
        for x in free_a
        for y in free_b
    )


def compare_names(
    subject: tuple[tuple[str, ...], ...],
    candidate: tuple[tuple[str, ...], ...],
    subject_readings: int = 0,
    candidate_readings: int = 0,
) -> NameComparison:
    """Best level over every pair of names (primary and aliases on either side).

    ``*_readings`` mark names that are other readings of Han characters (bit ``k`` for name
    ``k``, ``PreparedIdentity.han_readings``). They are there to meet a Latin record; when both
    sides have them, both were written in Han characters and only the names as written
    (read in pinyin) are compared: a Cantonese reading against a Wade–Giles one would only
    make chance agreements between different people. A reading counts only when every token
    of the shorter name agrees exactly or phonetically (``all_phonetic`` or ``exact``): with
    three readings of a name of one-syllable tokens, weaker agreements come by chance."""
    both = subject_readings and candidate_readings
    best = NameComparison(NAME_NONE, 0, 0, 0, ())
    for i, a in enumerate(subject):
        reading = subject_readings >> i & 1
        if both and reading:
            continue
        for j, b in enumerate(candidate):
            if both and candidate_readings >> j & 1:
                continue
            level, matched, strong = _align(a, b)
            if level > NAME_ALL_PHONETIC and (reading or candidate_readings >> j & 1):
                continue  # a partial agreement in another romanisation is mostly chance
            if level < best.level or (level == best.level and matched > best.matched):
                best = NameComparison(level, matched, i, j, strong)
                if level == NAME_EXACT:
                    return best
    return best


def _is_full(month: int, day: int) -> bool:
    return bool(month and day) and not (month == 1 and day == 1)


def _one_edit(
    ya: int, ma: int, da: int, yb: int, mb: int, db: int, dy: int, same_dm: bool
) -> bool:
    """One digit wrong, or two adjacent digits transposed, in ``YYYYMMDD`` (day and month in
    either order): Damerau–Levenshtein distance 1, computed piecewise for speed."""
    if dy == 0:
        a = f"{ma:02d}{da:02d}"
        return any(
            DamerauLevenshtein.distance(a, b, score_cutoff=1) <= 1
            for b in (f"{mb:02d}{db:02d}", f"{db:02d}{mb:02d}")
        )
    if same_dm:
        return DamerauLevenshtein.distance(str(ya), str(yb), score_cutoff=1) <= 1
    if ya // 10 == yb // 10:  # the year's last digit swapped with the month's first
        for a in (f"{ya}{ma:02d}{da:02d}", f"{ya}{da:02d}{ma:02d}"):
            for b in (f"{yb}{mb:02d}{db:02d}", f"{yb}{db:02d}{mb:02d}"):
                if a[3] == b[4] and a[4] == b[3] and a[5:] == b[5:]:
                    return True
    return False


def _months(month: int, day: int) -> set[int]:
    """The months a date can be read as, with day and month in either order."""
    return {month, day} if 1 <= day <= 12 else {month}


def compare_dob(a: PartialDate, b: PartialDate) -> int:
    """Date-of-birth level; 1 January and year-only dates count as partial (age disputes).

    Two dates in the same year and month whose days differ (or one of which has no day, or
    the 1st entered for an unknown day) are ``same_month``: the day is what clerks estimate
    or slip on, so it is weighed apart from two different dates of birth. The month is
    compared in either reading of day and month, so that swapping them changes no level."""
    ya, ma, da = a
    yb, mb, db = b
    if not ya or not yb:
        return MISSING
    dy = abs(ya - yb)
    full_a, full_b = _is_full(ma, da), _is_full(mb, db)
    if full_a and full_b:
        same_dm = (ma == mb and da == db) or (ma == db and da == mb)
        if dy == 0 and same_dm:
            return DOB_EXACT
        if _one_edit(ya, ma, da, yb, mb, db, dy, same_dm):
            # A slip in the year keeps the day and month, which two namesakes share far less
            # often than a year and month (development pairs: about 58 against 16 times as
            # likely for the same person; ADR 39).
            return DOB_ONE_EDIT_YEAR if same_dm else DOB_ONE_EDIT
        if same_dm and dy <= 5:
            return DOB_DAY_MONTH_YEAR_NEAR
        if dy == 0 and _months(ma, da) & _months(mb, db):
            return DOB_SAME_MONTH
        if dy == 0:
            return DOB_SAME_YEAR
        if dy <= 2:
            return DOB_YEAR_NEAR
        return DOB_DIFF
    if (
        dy == 0
        and ma
        and mb
        and (full_a or da == 0)
        and (full_b or db == 0)
        and _months(ma, da) & _months(mb, db)
    ):
        return DOB_SAME_MONTH  # a year and month on one side (or both), no 1 January
    if dy == 0:
        return DOB_PARTIAL_SAME_YEAR
    if dy <= 2:
        return DOB_PARTIAL_YEAR_NEAR
    if dy <= 5:
        return DOB_PARTIAL_YEAR_FAR
    return DOB_PARTIAL_DIFF


def compare_value(a: str, b: str) -> int:
    """Binary agreement for sex."""
    if not a or not b:
        return MISSING
    return 0 if a == b else 1


def compare_nationality(a: str, b: str) -> int:
    """Binary agreement for nationality. Stateless, refugee and free-text values (an origin
    with no state, such as Kurdish or Bidoon) agree only with themselves; against another
    value they are no evidence either way (``MISSING``), never a disagreement: a stateless
    person's papers may name the state they fled, or none."""
    if not a or not b:
        return MISSING
    if a == b:
        return 0
    if a in _NO_STATE or b in _NO_STATE or a[0] == "?" or b[0] == "?":
        return MISSING
    return 1


def compare_document(a: str, b: str) -> int:
    if not a or not b:
        return MISSING
    if a == b:
        return 0
    if min(len(a), len(b)) >= 6 and DamerauLevenshtein.distance(a, b, score_cutoff=1) <= 1:
        return 1
    return 2


def compare_address(address_a: str, postcode_a: str, address_b: str, postcode_b: str) -> int:
    """One comparison for where a person lives, so that address and postcode (which always
    move together) are not counted twice."""
    has_lines = bool(address_a and address_b)
    has_codes = len(postcode_a) >= 5 and len(postcode_b) >= 5
    if not has_lines and not has_codes:
        return MISSING
    same_line = has_lines and (
        address_a == address_b or token_set_ratio(address_a, address_b) >= 90
    )
    same_code = has_codes and postcode_a == postcode_b
    if same_line and (same_code or not has_codes):
        return 0
    if same_code:
        return 1
    if has_codes and postcode_a[:-2] == postcode_b[:-2]:
        return 2
    if same_line:
        return 2
    if has_codes and postcode_a[:-3] == postcode_b[:-3]:
        return 3
    return 4
