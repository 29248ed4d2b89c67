"""Finding English left in a page, a document or a notice that is meant to be in another language.

The English beside a translation not yet reviewed (``class="app-english-beside"``) is English on
purpose and is not looked at, nor is text marked as a third language (the language chooser names
each language in itself). Text marked ``lang="en"`` is looked at: only names may be English.

A piece of text is English when

- it is, whole, one of the English texts (a message id, or a piece of the same page drawn in
  English) and the language's translators did not choose to keep it as it is (it is not one of
  the language's own translations); or
- it holds a phrase of three words or more of an English text (cut at its placeholders) that no
  translation of the language holds; or
- it holds three English words in a row: words of the English texts that the language's
  translations never use.

Before looking, what may stay in English anywhere is taken out: references, web and email
addresses, telephone numbers, dates in figures, and the names a test passes in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

SKIPPED_ELEMENTS = {"script", "style", "template"}
LABEL_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
PLACEHOLDERS = re.compile(r"%\(\w+\)s|\{\w+\}|%s")
ALWAYS_ALLOWED = [
    r"https?://\S+",
    r"[\w.+-]+@[\w-]+\.[\w.-]+",
    r"\b[A-Z]{2,}(?:-[A-Z0-9]{2,})+\b",  # references such as PR-ABCD-EFGH
    r"\b(?=[A-Z0-9]*\d)[A-Z0-9]{6,}\b",  # passcodes, postcodes
    r"\b\d+(?:[/:.\-]\d+)*\b",
    r"\S+\+\S+",  # the ledger's public keys
    r"\bSafeShare\b",
    r"\bPDF\b",
]


class _Text(HTMLParser):
    """The text of an HTML document outside ``lang="en"`` elements, in pieces."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.pieces: list[str] = []
        self.language = ""

    def _english(self) -> bool:
        return any(english for _, english in self.stack)

    def _skipped(self) -> bool:
        return any(tag in SKIPPED_ELEMENTS for tag, _ in self.stack)

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        lang = (values.get("lang") or "").lower()
        if tag == "html":
            self.language = lang
        # The English beside an unreviewed translation, or text marked as another language
        # than the page's and English (the chooser names each language in itself).
        beside = "app-english-beside" in (values.get("class") or "").split()
        other = bool(lang) and lang not in {self.language, "en"} and not lang.startswith("en-")
        english = tag != "html" and (beside or other)
        if not (english or self._english() or self._skipped()):
            self.pieces += [values[name] or "" for name in LABEL_ATTRIBUTES if values.get(name)]
        if tag not in {"br", "img", "input", "meta", "link", "hr", "wbr", "source"}:
            self.stack.append((tag, english))

    def handle_startendtag(self, tag, attrs) -> None:
        if not (self._english() or self._skipped()):
            values = dict(attrs)
            self.pieces += [values[name] or "" for name in LABEL_ATTRIBUTES if values.get(name)]

    def handle_endtag(self, tag) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data) -> None:
        if not (self._english() or self._skipped()):
            self.pieces.append(data)


def normalise(text: str) -> str:
    return " ".join(text.split()).strip(" .:;,!?()–-•·")


def html_pieces(html: str) -> list[str]:
    """The pieces of text of ``html`` a reader sees, but the English beside a translation."""
    parser = _Text()
    parser.feed(html)
    return [piece for piece in (" ".join(p.split()) for p in parser.pieces) if piece]


def all_html_pieces(html: str) -> list[str]:
    """Every piece of text of ``html``, whatever its marks (for an English page)."""
    return html_pieces(re.sub(r'\slang="[^"]*"', "", html))


def words(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(text)}


class EnglishFinder:
    """Finds English in the pieces of text of one language."""

    def __init__(
        self,
        english_texts: Iterable[str],
        translations: Iterable[str],
        allowed: Iterable[str] = (),
    ) -> None:
        self.translations = {normalise(text) for text in translations}
        translation_words: set[str] = set()
        for text in self.translations:
            translation_words |= words(text)
        self.english = {normalise(text) for text in english_texts} - self.translations
        self.english.discard("")
        english_words: set[str] = set()
        for text in self.english:
            english_words |= words(text)
        self.vocabulary = english_words - translation_words
        # Phrases of three words or more from the English texts, cut at their placeholders:
        # English words around a translated name ("the protocol officer at …").
        joined = "\n".join(self.translations)
        self.phrases = {
            chunk
            for text in english_texts
            for chunk in (normalise(c) for c in PLACEHOLDERS.split(text))
            if len(WORD.findall(chunk)) >= 3 and chunk not in joined
        }
        names = sorted({name for name in allowed if name}, key=len, reverse=True)
        self.allowed = re.compile(
            "|".join([*(re.escape(name) for name in names), *ALWAYS_ALLOWED])
        )

    def english_in(self, pieces: Iterable[str]) -> list[str]:
        """The pieces that are, or hold, English."""
        found = []
        for piece in pieces:
            text = normalise(self.allowed.sub(" ", piece))
            if not text or not WORD.search(text):
                continue
            if text in self.english and text not in self.translations:
                found.append(piece)
                continue
            if any(phrase in text for phrase in self.phrases):
                found.append(piece)
                continue
            run = 0
            for token in re.split(r"[^A-Za-z'’]+", text):
                if not token:
                    continue
                run = run + 1 if token.lower() in self.vocabulary else 0
                if run >= 3:
                    found.append(piece)
                    break
        return found
