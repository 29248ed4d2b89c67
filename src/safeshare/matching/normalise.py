"""Text normalisation shared by every field: Unicode NFKC, case folding, transliteration.

Everything here is pure and cached: register rows are normalised once by ``prepare`` and the
same token recurs across thousands of identities, so per-token work is memoised.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

__all__ = ["fold", "fold_alnum", "is_cjk", "to_latin"]

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


@lru_cache(maxsize=1 << 16)
def to_latin(text: str) -> str:
    """NFKC, transliterate any script to ASCII, and case fold.

    Han and Hangul syllables are transliterated one by one with spaces between them, so
    ``王小明`` becomes ``wang xiao ming`` rather than one run-together token.
    """
    if text.isascii():
        return text.casefold()
    text = unicodedata.normalize("NFKC", text)
    if _CJK.search(text):
        text = _CJK.sub(lambda m: f" {m.group()} ", text)
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
