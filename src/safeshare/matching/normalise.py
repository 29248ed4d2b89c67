"""Text normalisation shared by every field: Unicode NFKC, case folding, transliteration.

Everything here is pure and cached: register rows are normalised once by ``prepare`` and the
same token recurs across thousands of identities, so per-token work is memoised.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

__all__ = ["fold", "fold_alnum", "has_han", "is_cjk", "to_latin"]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile(r"['’‘`ʼʻ´]")


def is_cjk(char: str) -> bool:
    """True for a Han ideograph, kana or Hangul syllable: scripts written without spaces."""
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2A6DF
        or 0xAC00 <= code <= 0xD7A3
        or 0x3040 <= code <= 0x30FF
    )


_CJK = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\U00020000-\U0002a6df]"
)


_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df]")


def has_han(text: str) -> bool:
    """True when ``text`` has a Han character (Chinese, or kanji in a Japanese name)."""
    return not text.isascii() and _HAN.search(text) is not None


# Arabic script (Arabic, Persian, Urdu, Pashto) writes no short vowels. A word is kept as its
# consonants, but the letters that stand for a vowel or a glottal stop in names are given as
# the vowel Latin spellings use, so that the consonant skeletons line up: an alef, hamza seat or
# ʿayn starting a word is "a" (احمد ahmd ~ Ahmad, عمران amrn ~ Imran, ابراهيم abrhym ~ Ibrahim),
# a medial alef is "a", a medial ʿayn or a bare hamza is dropped (سعيد syd ~ Saeed).
_ARABIC_WORD = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]+")
_ALEFS = "\u0627\u0623\u0625\u0622\u0671"  # ا أ إ آ ٱ
_AYN, _HAMZAS = "\u0639", "\u0621\u0626\u0624"  # ع; ء ئ ؤ
# Persian, Urdu and Pashto letters: in those languages ذ ض ظ are all pronounced and written z.
_PERSIAN = frozenset("\u06cc\u06a9\u06af\u067e\u0686\u0698\u0679\u0688\u06ba\u06d2\u06be")
_PERSIAN_Z = str.maketrans({"\u0630": "z", "\u0636": "z", "\u0638": "z"})
_ARTICLE = "\u0627\u0644"  # ال


def _arabic_word(match: re.Match[str]) -> str:
    word = match.group()
    if word.startswith(_ARTICLE) and len(word) > 4:
        # The definite article written joined to the name: a particle, as "al-" is in Latin.
        word = word[2:]
    if _PERSIAN.intersection(word):
        word = word.translate(_PERSIAN_Z)
    out = []
    for i, ch in enumerate(word):
        if ch in _ALEFS or (ch == _AYN and i == 0):
            out.append("a")
        elif ch == _AYN or ch in _HAMZAS:
            continue
        else:
            out.append(ch)
    return " " + "".join(out) + " "


@lru_cache(maxsize=1 << 16)
def to_latin(text: str) -> str:
    """NFKC, transliterate any script to ASCII, and case fold.

    Han and Hangul syllables are transliterated one by one with spaces between them, so
    ``王小明`` becomes ``wang xiao ming`` rather than one run-together token. Arabic-script
    words lose a joined definite article and have their vowel letters given as Latin spellings
    write them (see ``_arabic_word``); the rest is ``anyascii``.
    """
    if text.isascii():
        return text.casefold()
    text = unicodedata.normalize("NFKC", text)
    if _CJK.search(text):
        text = _CJK.sub(lambda m: f" {m.group()} ", text)
    if _ARABIC_WORD.search(text):
        text = _ARABIC_WORD.sub(_arabic_word, text).strip()
    return anyascii(text).casefold()


@lru_cache(maxsize=1 << 17)
def fold(text: str | None) -> str:
    """Latin, lower case, apostrophes dropped, every other non-alphanumeric run as one space."""
    if not text:
        return ""
    latin = _APOSTROPHES.sub("", to_latin(text))
    return _NON_ALNUM.sub(" ", latin).strip()


def fold_alnum(text: str | None) -> str:
    """Upper-case ASCII letters and digits only (document numbers, postcodes, codes)."""
    if not text:
        return ""
    return _NON_ALNUM.sub("", to_latin(text)).upper()
