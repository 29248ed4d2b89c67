"""A page's confirm button acts once, however often it is pressed (ADR 0044).

The check-answers page carries a random nonce with the answers. Confirming claims the nonce for
the person, runs the action and keeps where the page went next, all in one durable transaction:
a second press (a double click, a refresh, a retried request) finds the nonce claimed and is
sent to the same confirmation, with nothing done twice. An action that refuses rolls the claim
back with it, so the person can correct the answers and confirm again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict

from safeshare.idempotency.actions import do_claim_key, do_store_response
from safeshare.idempotency.models import IdempotentResponse
from safeshare.kernel.transactions import request_transaction
from safeshare.web.check_answers import read_answers, read_done, sign_answers, sign_done

PAGE_FINGERPRINT = "check-answers-page"


def _caller(person_key: str) -> str:
    return f"page:{person_key}"[:64]


def already_confirmed(person_key: str, nonce: str) -> str | None:
    """Where the first press of this confirm button went, if it has been pressed before: the
    page checks this before the answers, which the first press may have made stale."""
    first = IdempotentResponse.objects.filter(
        caller=_caller(person_key), key=f"confirm:{nonce}"
    ).first()
    return bytes(first.body).decode() if first is not None and first.body else None


def confirm_once(person_key: str, nonce: str, act: Callable[[], str]) -> str:
    """Run ``act`` (which returns the confirmation page's address) once per person and nonce;
    a repeat returns the first confirmation's address without running it again."""
    caller = _caller(person_key)
    key = f"confirm:{nonce}"
    with request_transaction():
        claimed = do_claim_key(caller, key, PAGE_FINGERPRINT)
        if claimed is None:
            first = IdempotentResponse.objects.get(caller=caller, key=key)
            return bytes(first.body).decode()
        location = act()
        do_store_response(claimed, 303, location.encode())
    return location


@dataclass(frozen=True)
class Step:
    """Where a person is in a question → check answers → confirmation flow, from the request.

    ``kind`` is one of:
    - ``question``: the question page, empty (a GET) or refilled from "Change" (``data`` set);
    - ``check``: the question page was posted; show the check-answers page if ``data`` is valid;
    - ``confirm``: the confirm button was pressed with good signed answers (``data``, ``nonce``);
    - ``repeat``: the confirm button was pressed before: go to ``location``, do nothing again;
    - ``lost``: the confirm button came with answers altered, someone else's or too old;
    - ``done``: the confirmation page, from its signed note (``done``).
    """

    kind: str
    data: QueryDict | None = None
    nonce: str = ""
    location: str = ""
    done: dict[str, Any] | None = None

    @property
    def posted(self) -> bool:
        return self.kind in ("check", "confirm")


def read_step(request: HttpRequest, flow: str, record: object) -> Step:
    if request.method != "POST":
        if "done" in request.GET:
            done = read_done(request, flow, record, request.GET.get("done"))
            return Step("done", done=done) if done is not None else Step("question")
        kept = read_answers(request, flow, record, request.GET.get("answers"))
        return Step("question", data=kept[0] if kept else None)
    if "confirm" not in request.POST:
        return Step("check", data=request.POST)
    kept = read_answers(request, flow, record, request.POST.get("answers"))
    if kept is None:
        return Step("lost")
    data, nonce = kept
    first = already_confirmed(str(getattr(request.user, "pk", "")), nonce)
    if first is not None:
        return Step("repeat", location=first)
    return Step("confirm", data=data, nonce=nonce)


def check_url(question: str, request: HttpRequest, flow: str, record: object) -> tuple[str, str]:
    """The signed answers just posted, and the question page's address refilled with them
    (for "Change" and the back link)."""
    token = sign_answers(request, flow, record, request.POST)
    return token, f"{question}?{urlencode({'answers': token})}"


def done_url(page: str, request: HttpRequest, flow: str, record: object, note: dict) -> str:
    return f"{page}?{urlencode({'done': sign_done(request, flow, record, note)})}"
