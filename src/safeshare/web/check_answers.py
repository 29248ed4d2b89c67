"""Carrying a person's answers from a question page to its check-answers page (ADR 0044).

A question page validates its POST and, when the answers are valid, shows the check-answers
page in the same response. The answers travel in one hidden field: the posted values, sealed
(encrypted, authenticated and time-stamped with Fernet, under a key derived from the service's
secret key) and bound to the person, the page and the record the answers are about, with a
random ``nonce``. Nothing is stored until the person presses the confirm button, which posts
the sealed answers back: they are checked again by the same form, and the action runs once per
nonce (see ``safeshare.idempotency.pages``). "Change" links take the same sealed answers back
to the question page (``?answers=…``), which shows them filled in: being encrypted, they say
nothing in a browser's history or a proxy's log.

After the action, the page redirects to itself with ``?done=…``: a sealed note of what was
done, from which the confirmation page is drawn (a GET, which reads only).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import zlib
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.http import HttpRequest, QueryDict

from safeshare.web.templatetags.govuk import date_in_words

#: How long checked answers stay good: long enough to read the page, short enough that an old
#: tab cannot act on a record much changed since.
MAX_AGE_SECONDS = 60 * 60
DONE_MAX_AGE_SECONDS = 24 * 60 * 60
NOT_POSTED = ("csrfmiddlewaretoken", "answers", "confirm")
SALT = b"safeshare.check-answers.v1:"


def _fernet() -> MultiFernet:
    """Fernet keys from the service's secret key (and its fallbacks, while it is rotated)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(SALT + str(key).encode()).digest()))
            for key in keys
        ]
    )


def _seal(kind: str, request: HttpRequest, flow: str, record: object, body: object) -> str:
    """``body`` encrypted and authenticated (Fernet), bound to the person, flow and record."""
    bound = {"to": _binding(kind, request, flow, record), "body": body}
    plain = zlib.compress(json.dumps(bound, separators=(",", ":")).encode())
    return _fernet().encrypt(plain).decode()  # compressed first: "Change" links stay short


def _open(
    kind: str,
    request: HttpRequest,
    flow: str,
    record: object,
    token: str | None,
    *,
    max_age: int = MAX_AGE_SECONDS,
) -> Any:
    if not token:
        return None
    try:
        bound = json.loads(zlib.decompress(_fernet().decrypt(token.encode(), ttl=max_age)))
    except (InvalidToken, ValueError, TypeError, zlib.error):  # altered, or too old
        return None
    if not isinstance(bound, dict) or bound.get("to") != _binding(kind, request, flow, record):
        return None  # someone else's, another page's or another record's
    return bound.get("body")


def _binding(kind: str, request: HttpRequest, flow: str, record: object) -> str:
    return f"{kind}:{flow}:{getattr(request.user, 'pk', None)}:{record}"


def sign_answers(request: HttpRequest, flow: str, record: object, data: QueryDict) -> str:
    """The question page's posted answers, sealed for this person, page and record."""
    answers = {key: data.getlist(key) for key in data if key not in NOT_POSTED}
    body = {"answers": answers, "nonce": secrets.token_urlsafe(16)}
    return _seal("answers", request, flow, record, body)


def read_answers(
    request: HttpRequest, flow: str, record: object, token: str | None
) -> tuple[QueryDict, str] | None:
    """The answers and nonce in ``token``, or ``None`` if it is missing, altered, another
    person's or another record's, or older than ``MAX_AGE_SECONDS``."""
    payload = _open("answers", request, flow, record, token)
    if not isinstance(payload, dict):
        return None
    answers = payload.get("answers")
    nonce = payload.get("nonce")
    if not isinstance(answers, dict) or not isinstance(nonce, str):
        return None
    data = QueryDict(mutable=True)
    for key, values in answers.items():
        if isinstance(values, list):
            data.setlist(str(key), [str(value) for value in values])
    data._mutable = False
    return data, nonce


def sign_done(request: HttpRequest, flow: str, record: object, note: Mapping[str, Any]) -> str:
    """A sealed note of what was done, for the confirmation page."""
    return _seal("done", request, flow, record, dict(note))


def read_done(
    request: HttpRequest, flow: str, record: object, token: str | None
) -> dict[str, Any] | None:
    payload = _open("done", request, flow, record, token, max_age=DONE_MAX_AGE_SECONDS)
    return payload if isinstance(payload, dict) else None


def shown(field: object, value: object) -> str:
    """An answer as the person gave it: the label of a choice, "Yes" or "No", or the text."""
    if value in (None, "", [], ()):
        return "Not given"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return date_in_words(value)
    choices = getattr(field, "choices", None)
    if choices:
        labels = {str(key): str(label) for key, label in choices}
        if isinstance(value, (list, tuple)):
            return ", ".join(labels.get(str(item), str(item)) for item in value)
        return labels.get(str(value), str(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return str(getattr(value, "label", value))


def answer_rows(form: Any, *, before: Mapping[str, object] | None = None) -> list[dict[str, Any]]:
    """A summary-list row for each answer of a valid form, in the form's order, with whether
    it differs from ``before`` (what was recorded until now) when that is given."""
    rows = []
    for name, field in form.fields.items():
        if field.widget.is_hidden:
            continue
        value = form.cleaned_data.get(name)
        row: dict[str, Any] = {
            "name": name,
            "label": str(field.label or name.replace("_", " ").capitalize()),
            "value": shown(field, value),
        }
        if before is not None:
            old = shown(field, before.get(name))
            row["before"] = old
            row["changed"] = old != row["value"]
        rows.append(row)
    return rows
