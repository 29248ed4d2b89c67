"""Culture-aware name parsing: tokens, particles, honorifics, variant groups and phonetic keys.

A name becomes an unordered tuple of canonical tokens. Order is deliberately not used for
matching: family-name-first order, a father's or grandfather's name in the family-name field,
Spanish and Portuguese double surnames and Vietnamese middle names all move tokens about, so
``Nguyen Van An`` and ``An Van Nguyen`` give the same tokens.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from importlib import resources
from itertools import pairwise

import jellyfish
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from safeshare.matching.han import han_readings, maybe_wade_giles, wade_giles_to_pinyin
from safeshare.matching.normalise import fold, has_han, to_latin

__all__ = [
    "EXACT",
    "FUZZY",
    "HONORIFICS",
    "NONE",
    "PARTICLES",
    "PHONETIC",
    "canonical_token",
    "key_tokens",
    "name_readings",
    "name_tokens",
    "skeleton",
    "token_agreement",
    "variant_groups",
]

#: Titles and honorifics that say nothing about identity. ``Md`` is not here: it abbreviates
#: Mohammed and is mapped to it by the variant groups.
HONORIFICS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "dame",
        "rev",
        "revd",
        "mst",
        "most",
        "mosammat",
        "mosammet",
        "mossammat",
        "mosamat",
        "musammat",
        "mussammat",
        "mrst",
        "smt",
        "shri",
        "sri",
        "srimati",
        "alhaji",
        "alhaja",
        "alhajji",
        "hajia",
        "haji",
        "hajji",
    ]
)

#: Connecting particles dropped from matching: Arabic ``al``, ``bin``, ``ibn``; Dutch ``van``;
#: Romance ``de``, ``da``, ``dos``; Spanish and Portuguese ``y``/``e``. A particle is kept when
#: it is the last token (Vietnamese ``Van`` is also a given name), ``ben`` is a particle only
#: after the first token, and ``le`` and ``do`` are Vietnamese family names, never particles.
PARTICLES = frozenset(
    [
        "al",
        "el",
        "bin",
        "ibn",
        "bint",
        "binti",
        "bte",
        "ould",
        "wad",
        "van",
        "von",
        "der",
        "den",
        "de",
        "da",
        "das",
        "dos",
        "del",
        "della",
        "di",
        "du",
        "y",
        "e",
        "la",
        "ter",
        "ten",
    ]
)

#: ``ul``/``ur``/``us`` inside a compound (``Zia ul Haq``) join the next token; ``ud din``,
#: ``ad din`` and ``al din`` become ``uddin``.
BEN = "ben"  # a particle after the first token, a given name before it
_LINKERS = frozenset(["ul", "ur", "us", "un", "uz"])
_DIN_LINKERS = frozenset(["ud", "ad", "ed", "al", "uddin"])
_ABD_PREFIXES = ("abdul", "abdel", "abdal", "abdoul", "abdur", "abdus", "abdool")
_ALLAH_TAILS = frozenset(["la", "lah", "llah", "lahi", "llahi", "lahe", "lai"])
_GENDERED_ENDINGS = (("ska", "ski"), ("cka", "cki"), ("zka", "zki"), ("ova", "ov"), ("eva", "ev"))


@lru_cache(maxsize=1)
def variant_groups() -> dict[str, str]:
    """Map every spelling in ``data/name_variants.txt`` to its group's canonical spelling."""
    text = resources.files("safeshare.matching").joinpath("data/name_variants.txt").read_text()
    mapping: dict[str, str] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        tokens = [fold(t).replace(" ", "") for t in line.split()]
        canonical = tokens[0]
        for token in tokens:
            previous = mapping.setdefault(token, canonical)
            if previous != canonical:
                msg = f"name variant {token!r} is in two groups ({previous!r}, {canonical!r})"
                raise ValueError(msg)
    return mapping


@lru_cache(maxsize=1 << 18)
def canonical_token(token: str) -> str:
    """Gendered Slavic endings to the masculine form, then the variant group's spelling."""
    groups = variant_groups()
    if token in groups:
        return groups[token]
    if len(token) >= 6:
        for feminine, masculine in _GENDERED_ENDINGS:
            if token.endswith(feminine):
                token = token[: -len(feminine)] + masculine
                break
    return sys.intern(groups.get(token, token))


def _split_compound(token: str) -> tuple[str, ...]:
    """``abdulrahman`` -> ``abdul rahman``; ``abdullah`` stays whole."""
    for prefix in _ABD_PREFIXES:
        if token.startswith(prefix):
            tail = token[len(prefix) :]
            if len(tail) >= 4 and tail not in _ALLAH_TAILS:
                return (prefix, tail)
            break
    return (token,)


def name_tokens(*parts: str | None) -> tuple[str, ...]:
    """Canonical tokens of a full name given in one or more parts (given names, family name).

    Honorifics and particles are dropped (unless nothing else is left), compounds are split
    or joined consistently, and each token is replaced by its variant group's spelling.
    """
    raw: list[str] = []
    for part in parts:
        raw.extend(fold(part).split())
    kept: list[str] = []
    i = 0
    while i < len(raw):
        token = raw[i]
        nxt = raw[i + 1] if i + 1 < len(raw) else None
        if token in HONORIFICS:
            i += 1
            continue
        if token in _DIN_LINKERS and nxt == "din":
            kept.append("uddin")
            i += 2
            continue
        if token in _LINKERS and nxt is not None and kept:
            i += 1
            continue
        is_last = nxt is None
        if not is_last and (token in PARTICLES or (token == BEN and kept)):
            i += 1
            continue
        kept.extend(_split_compound(token))
        i += 1
    if not kept:
        kept = [t for t in raw if t not in HONORIFICS] or raw
    return tuple(canonical_token(t) for t in kept)


def name_readings(*parts: str | None) -> tuple[tuple[str, ...], ...]:
    """``name_tokens`` of a name, then of each other reading of it (none for most names).

    A name with Han characters is also read in Wade–Giles and in Hong Kong Cantonese
    (``陳大文``: ``chen da wen``, ``chen ta wen``, ``chan tai man``); a Latin name written in
    Wade–Giles is also read in pinyin (``Hsiao-ming Wang``: ``xiaoming wang``). See ``han``.
    Comparisons take the best agreement over every reading of either side.
    """
    primary = name_tokens(*parts)
    readings = [primary] if primary else []
    text = " ".join(part for part in parts if part)
    if has_han(text):
        others = [han_readings(part, fold(part)) if part else () for part in parts]
        for k in range(2):
            tokens = name_tokens(*(o[k] if o else p for p, o in zip(parts, others, strict=True)))
            if tokens and tokens not in readings:
                readings.append(tokens)
    elif primary:
        pinyin = wade_giles_to_pinyin(to_latin(text)) if maybe_wade_giles(text) else None
        if pinyin is not None:
            tokens = name_tokens(pinyin)
            if tokens and tokens not in readings:
                readings.append(tokens)
    return tuple(readings)


@lru_cache(maxsize=1 << 18)
def skeleton(token: str) -> str:
    """Phonetic key robust to vowel transliteration: the token's consonant skeleton.

    Digraphs are reduced (ph→f, kh→k, sh/sz→s, ch/c/q→k, dh→d, th→t, gh→g, dj→j, rz→z),
    vowels and vowel-like y/w dropped, a final h dropped and doubled letters collapsed; an
    initial vowel is kept as ``A``. ``Fatema``/``Fatimma``/``ftmh`` all give ``FTM``.
    """
    if not token:
        return ""
    s = token
    for old, new in (
        ("sch", "s"),
        ("tch", "c"),
        ("ph", "f"),
        ("kh", "k"),
        ("gh", "g"),
        ("sh", "s"),
        ("sz", "s"),
        ("cz", "c"),
        ("ch", "c"),
        ("ck", "k"),
        ("dh", "d"),
        ("th", "t"),
        ("dj", "j"),
        ("rz", "z"),
        ("q", "k"),
        ("c", "k"),
    ):
        if old in s:
            s = s.replace(old, new)
    vowels = "aeiouy"
    first = s[0]
    out = ["A" if first in vowels else ("V" if first == "w" else first.upper())]
    last = len(s) - 1
    for i in range(1, len(s)):
        ch = s[i]
        if ch in vowels:
            continue
        if ch == "w":
            if i < last and s[i + 1] in vowels:
                ch = "v"
            else:
                continue
        if ch == "h" and i == last:
            continue
        up = ch.upper()
        if up != out[-1]:
            out.append(up)
    return sys.intern("".join(out))


def key_tokens(tokens: tuple[str, ...], *, joined: bool = True) -> frozenset[str]:
    """Phonetic keys used for blocking: every token of two letters or more, plus (unless
    ``joined`` is false) the joined form of adjacent short tokens (``xiao ming`` also gives
    the key of ``xiaoming``)."""
    keys = {skeleton(t) for t in tokens if len(t) >= 2}
    if not joined:
        return frozenset(keys)
    for left, right in pairwise(tokens):
        if 2 <= len(left) <= 4 and 2 <= len(right) <= 4:
            keys.add(skeleton(left + right))
    return frozenset(keys)


#: Token agreement strengths.
NONE, FUZZY, PHONETIC, EXACT = 0, 1, 2, 3

_AGREEMENT_CACHE: dict[tuple[str, str], int] = {}


def token_agreement(a: str, b: str) -> int:
    """How strongly two canonical tokens agree: EXACT, PHONETIC, FUZZY (typo, initial) or NONE."""
    if a == b:
        return EXACT
    key = (a, b) if a < b else (b, a)
    cached = _AGREEMENT_CACHE.get(key)
    if cached is not None:
        return cached
    result = _token_agreement(*key)
    if len(_AGREEMENT_CACHE) > 2_000_000:
        _AGREEMENT_CACHE.clear()
    _AGREEMENT_CACHE[key] = result
    return result


@lru_cache(maxsize=1 << 16)
def _metaphone(token: str) -> str:
    return jellyfish.metaphone(token)


def _abjad(token: str) -> bool:
    """A token written without short vowels (from Arabic script): only its consonant
    skeleton can be compared (``amr`` ~ ``omar``)."""
    return len(token) >= 3 and not any(ch in "aeiou" for ch in token[1:])


def _token_agreement(a: str, b: str) -> int:
    if len(a) == 1 or len(b) == 1:
        return FUZZY if a[0] == b[0] else NONE
    sa, sb = skeleton(a), skeleton(b)
    shortest = min(len(a), len(b))
    if sa == sb and (
        (len(sa) >= 2 and (shortest >= 4 or _abjad(a) or _abjad(b)))
        or DamerauLevenshtein.distance(a, b, score_cutoff=1) <= 1
    ):
        return PHONETIC
    for x, y in ((a, b), (b, a)):
        if x[:2] in ("al", "el") and x[2:] == y:
            return PHONETIC
    if shortest >= 4 and _metaphone(a) == _metaphone(b):
        return PHONETIC
    if shortest >= 4:
        if DamerauLevenshtein.distance(a, b, score_cutoff=1) <= 1:
            return FUZZY
        if JaroWinkler.similarity(a, b) >= 0.88:
            return FUZZY
        if len(sa) >= 3 and DamerauLevenshtein.distance(sa, sb, score_cutoff=1) <= 1:
            return FUZZY if JaroWinkler.similarity(a, b) >= 0.8 else NONE
    elif shortest == 3 and a[0] == b[0] and DamerauLevenshtein.distance(a, b) <= 1:
        return FUZZY
    return NONE
