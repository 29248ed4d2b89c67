"""The advice pack and the letter in every language: PDF pages rendered to PNG with pdftoppm
are not blank, and the Arabic pages are laid out right to left."""

from __future__ import annotations

import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest
from django.utils import translation
from PIL import Image

from safeshare.advice.documents import render_html, render_pdf
from safeshare.advice.languages import all_languages, get_language
from safeshare.advice.pack import build_letter_content, build_pack_content
from tests.advice_web.support import VIEW_URL, facts, officer, protected_victim

pytestmark = pytest.mark.django_db
LANGUAGES = [language.code for language in all_languages()]
SHOTS = Path(tempfile.gettempdir()) / "safeshare-advice-shots"


def pack_document(protection, code: str) -> tuple[str, bytes]:
    with translation.override(code):
        content = build_pack_content(protection, facts(), date(2026, 11, 24), view_url=VIEW_URL)
    context = {"pack": content, "language": get_language(code)}
    html = render_html("advice/pdf/pack.html", context, language=code)
    return html, render_pdf("advice/pdf/pack.html", context, language=code)


def letter_document(protection, code: str) -> tuple[str, bytes]:
    with translation.override(code):
        content = build_letter_content(
            protection, passcode="4821 0937 5562", view_url=VIEW_URL, issued_on=date(2026, 11, 24)
        )
    context = {"letter": content, "language": get_language(code)}
    html = render_html("advice/pdf/letter.html", context, language=code)
    return html, render_pdf("advice/pdf/letter.html", context, language=code)


def pages_as_png(pdf: bytes, directory: Path, name: str) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob(f"{name}-*.png"):  # pages of an earlier, longer document
        stale.unlink()
    source = directory / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(source), str(directory / name)], check=True
    )
    return sorted(directory.glob(f"{name}-*.png"))


def ink(image: Image.Image) -> list[list[bool]]:
    grey = image.convert("L")
    width, height = grey.size
    pixels = grey.load()
    return [[pixels[x, y] < 128 for x in range(width)] for y in range(height)]


def line_edges(image: Image.Image, top_fraction: float = 0.5) -> list[tuple[int, int]]:
    """(leftmost, rightmost) ink of each text line in the top part of a page."""
    rows = ink(image)
    edges, band = [], []
    for row in rows[: int(len(rows) * top_fraction)]:
        xs = [x for x, dark in enumerate(row) if dark]
        if xs:
            band.append((xs[0], xs[-1]))
        elif band:
            edges.append((min(b[0] for b in band), max(b[1] for b in band)))
            band = []
    return edges


def hugs_right(image: Image.Image) -> bool:
    """Whether the text lines end at a common right edge more than they start at a left one."""
    edges = line_edges(image)
    width = image.size[0]
    left_gaps = sorted(left for left, _ in edges)
    right_gaps = sorted(width - right for _, right in edges)
    spread_left = left_gaps[len(edges) * 3 // 4] - left_gaps[0]
    spread_right = right_gaps[len(edges) * 3 // 4] - right_gaps[0]
    return spread_right < spread_left


@pytest.fixture
def protection():
    return protected_victim(officer("DOCS"), reference="99/1/26")


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_pack_renders_in_every_language(protection, code, tmp_path):
    html, pdf = pack_document(protection, code)
    language = get_language(code)
    assert f'<html lang="{code}" dir="{language.direction}">' in html
    if language.awaiting_review:
        assert 'data-testid="review-note"' in html
    pages = pages_as_png(pdf, SHOTS / "pack", code)
    assert len(pages) >= 2
    short = []
    for page in pages:
        image = Image.open(page)
        assert image.size[0] > 400
        dark = sum(1 for row in ink(image) for pixel in row if pixel)
        assert dark > 300, f"{page.name} is blank"
        if dark <= 2000:
            short.append(page.name)
    # Only the last page of the pack, and of its English copy (which starts on a new page),
    # may hold just a few lines.
    assert len(short) <= (2 if language.awaiting_review else 1), short


@pytest.mark.parametrize("code", ["en", "cy", "ar"])
def test_the_letter_renders(protection, code):
    html, pdf = letter_document(protection, code)
    assert "4821 0937 5562" in html
    pages = pages_as_png(pdf, SHOTS / "letter", code)
    assert pages
    assert sum(1 for row in ink(Image.open(pages[0])) for pixel in row if pixel) > 2000


def test_the_arabic_pack_is_laid_out_right_to_left(protection):
    html, pdf = pack_document(protection, "ar")
    assert 'dir="rtl"' in html
    # The second page: the first opens with the note, in English, that the translation awaits
    # review, and English lines are laid out left to right.
    arabic = Image.open(pages_as_png(pdf, SHOTS / "rtl", "ar")[1])
    english = Image.open(pages_as_png(pack_document(protection, "en")[1], SHOTS / "rtl", "en")[1])
    assert hugs_right(arabic)
    assert not hugs_right(english)


def test_the_arabic_letter_is_laid_out_right_to_left(protection):
    _html, pdf = letter_document(protection, "ar")
    assert hugs_right(Image.open(pages_as_png(pdf, SHOTS / "rtl", "letter-ar")[0]))
