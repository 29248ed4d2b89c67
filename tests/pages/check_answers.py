"""Helpers for the question, check-answers and confirmation pages (ADR 0044)."""

from __future__ import annotations

import html as html_lib
import re

ANSWERS = re.compile(r'name="answers" value="([^"]+)"')


def answers_token(response) -> str:
    """The signed answers a check-answers page carries to its confirm button."""
    match = ANSWERS.search(response.content.decode())
    assert match, "no check-answers form on the page"
    return html_lib.unescape(match.group(1))


def confirm(client, url: str, check_page, **extra):
    """Press the confirm button on ``check_page`` (posted to ``url``)."""
    return client.post(url, {"answers": answers_token(check_page), "confirm": "yes", **extra})


def answer_and_confirm(client, url: str, data: dict, *, follow: bool = False):
    """Answer the question page, then confirm on the check-answers page."""
    check_page = client.post(url, data)
    assert check_page.status_code == 200, check_page.content.decode()[:2000]
    return client.post(
        url, {"answers": answers_token(check_page), "confirm": "yes"}, follow=follow
    )
