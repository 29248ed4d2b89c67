"""Strict input on every path: text that is not valid UTF-8, or holds a NUL character, is refused.

Django is lenient by design: it decodes query strings and form bodies with ``errors="replace"``,
so invalid UTF-8 would be stored as mojibake (U+FFFD), and a NUL character reaches the database
(where PostgreSQL refuses it with a 500). This middleware looks at the raw input before any view
does and refuses it with 400: the API's standard error body under ``/api/``, a GOV.UK page
elsewhere. It checks

* the path and the query string (percent-decoded, as the view would see them);
* form bodies, urlencoded (from the raw bytes) and multipart (the text fields and file names);
* the request headers SafeShare reads as input (any header with a NUL character is refused);
* the length of the URL: longer than ``MAX_URL_LENGTH`` is answered 414 with the same bodies, so
  the server in front is configured with a larger limit and leaves the answer to the service.

JSON bodies are checked by the API's parser (``safeshare.api.StrictJsonParser``), which also
refuses a key given twice in one object (``refuse_duplicate_keys`` here).

A form a view refuses (its GOV.UK error summary is shown) answers 400 instead of 200: the error
summary tag marks the request (``mark_form_refused``) and the response is corrected on the way out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from safeshare.web.middleware import request_id_for

logger = logging.getLogger(__name__)

MAX_URL_LENGTH = 8192
"""Longest path and query string taken, in bytes; the server in front allows more."""

INPUT_HEADERS = (
    "HTTP_AUTHORIZATION",
    "HTTP_IDEMPOTENCY_KEY",
    "HTTP_X_REQUEST_ID",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_COOKIE",
    "HTTP_REFERER",
    "HTTP_ORIGIN",
    "HTTP_HOST",
)
"""Headers whose values SafeShare reads: they must be valid UTF-8 as well as free of NUL."""

FORM_REFUSED_ATTRIBUTE = "safeshare_form_refused"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class InputProblem(ValueError):
    """Input refused, with the status, the part of the request at fault and the reason."""

    def __init__(self, status: int, code: str, where: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.where, self.message = status, code, where, message


class DuplicateKeyError(ValueError):
    """A JSON object gave the same key twice."""


def refuse_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """``object_pairs_hook`` for ``json.loads``: a key given twice is refused, not "last wins"."""
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKeyError(f"The request body gives the key {key!r} more than once.")
        result[key] = value
    return result


def mark_form_refused(request: HttpRequest | None) -> None:
    """Note that the page being drawn refuses a form, so that it is answered 400, not 200."""
    if request is not None:
        setattr(request, FORM_REFUSED_ATTRIBUTE, True)


def _text(raw: bytes, where: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputProblem(400, "bad_request", where, f"{where} is not valid UTF-8.") from error
    if "\x00" in text:
        raise InputProblem(400, "bad_request", where, f"{where} contains a NUL character.")
    return text


def _wire_bytes(value: str) -> bytes:
    """A WSGI string holds the raw bytes as Latin-1; an ASGI server may already have decoded it."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", errors="surrogateescape")


def check_urlencoded(raw: bytes, where: str) -> None:
    """Every name and value of ``a=1&b=2`` percent-decodes to valid UTF-8 without NUL."""
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        field = _text(unquote_to_bytes(name.replace(b"+", b" ")), where)
        _text(unquote_to_bytes(value.replace(b"+", b" ")), f"{where} field {field[:40]!r}")


def _raw_path(request: HttpRequest) -> bytes:
    scope = getattr(request, "scope", None)
    if isinstance(scope, dict) and scope.get("raw_path"):
        return unquote_to_bytes(scope["raw_path"])
    # Django keeps the WSGI path with bytes that are not UTF-8 percent-encoded again
    # (``repercent_broken_unicode``): decoding once more brings them back.
    return unquote_to_bytes(_wire_bytes(request.META.get("PATH_INFO", "")))


def _raw_query(request: HttpRequest) -> bytes:
    scope = getattr(request, "scope", None)
    if isinstance(scope, dict) and isinstance(scope.get("query_string"), bytes):
        return scope["query_string"]
    return _wire_bytes(request.META.get("QUERY_STRING", ""))


def _check_multipart(request: HttpRequest) -> None:
    # Django's multipart parser decodes text fields with errors="replace": a U+FFFD in a field
    # is what is left of bytes that were not UTF-8, so it is refused as such.
    for name, values in request.POST.lists():
        for value in [name, *values]:
            if "\x00" in value:
                raise InputProblem(
                    400, "bad_request", "The form", "The form contains a NUL character."
                )
            if "\ufffd" in value:
                raise InputProblem(400, "bad_request", "The form", "The form is not valid UTF-8.")
    for upload in request.FILES.values():
        name = getattr(upload, "name", None) or ""
        if "\x00" in name or "\ufffd" in name:
            raise InputProblem(
                400, "bad_request", "The file name", "The file name is not valid UTF-8 text."
            )


def check_request(request: HttpRequest) -> None:
    """Raise ``InputProblem`` for the first part of the request that is not acceptable."""
    path, query = _raw_path(request), _raw_query(request)
    if len(path) + len(query) > MAX_URL_LENGTH:
        raise InputProblem(
            414,
            "uri_too_long",
            "The address",
            f"The address is too long: at most {MAX_URL_LENGTH} characters.",
        )
    _text(path, "The address")
    check_urlencoded(query, "The query string")
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
            raise InputProblem(
                400, "bad_request", "A header", "A header contains a NUL character."
            )
    for key in INPUT_HEADERS:
        value = request.META.get(key)
        if isinstance(value, str):
            _text(_wire_bytes(value), f"The {key[5:].replace('_', '-').title()} header")
    if request.method not in UNSAFE_METHODS:
        return
    content_type = request.content_type or ""
    if content_type == "application/x-www-form-urlencoded":
        check_urlencoded(request.body, "The form")


def refusal(request: HttpRequest, problem: InputProblem) -> HttpResponse:
    """The standard error body under /api/, a GOV.UK error page elsewhere."""
    if request.path.startswith("/api/"):
        body = {
            "error": {
                "code": problem.code,
                "message": problem.message,
                "fields": {},
                "request_id": request_id_for(request),
            }
        }
        return JsonResponse(body, status=problem.status)
    template = "414.html" if problem.status == 414 else "400.html"
    page = render_to_string(template, {"reason": problem.message}, request=request)
    return HttpResponse(page, status=problem.status)


class StrictInputMiddleware:
    """Refuse input that is not valid UTF-8 or holds NUL, before any view; make refusals 4xx."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except InputProblem as problem:
            return self.refuse(request, problem)
        except (RequestDataTooBig, TooManyFieldsSent) as error:
            logger.warning("Refused input: %s", type(error).__name__)
            status = 413 if isinstance(error, RequestDataTooBig) else 400
            if request.path.startswith("/api/"):
                message = (
                    "The request body is too large. Send at most 1 MB."
                    if status == 413
                    else "The form has too many fields."
                )
                code = "payload_too_large" if status == 413 else "bad_request"
                return refusal(request, InputProblem(status, code, "The body", message))
            return refusal(request, InputProblem(400, "bad_request", "The form", str(error)))
        response = self.get_response(request)
        if (
            request.method in UNSAFE_METHODS
            and response.status_code == 200
            and getattr(request, FORM_REFUSED_ATTRIBUTE, False)
        ):
            response.status_code = 400
            response.reason_phrase = "Bad Request"
        return response

    @staticmethod
    def refuse(request: HttpRequest, problem: InputProblem) -> HttpResponse:
        # The part of the request only: a field's name is the caller's text, so it is not logged.
        logger.warning("Refused input: %s (%s)", problem.where.split(" field ")[0], problem.status)
        return refusal(request, problem)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        """Multipart text fields, for views that let Django parse the body. A view exempt from
        the CSRF middleware reads its own body (the sweep upload first sets a handler that
        limits the file's size), so its body is left to it."""
        if (
            request.method in UNSAFE_METHODS
            and request.content_type == "multipart/form-data"
            and not getattr(view_func, "csrf_exempt", False)
        ):
            try:
                _check_multipart(request)
            except InputProblem as problem:
                return self.refuse(request, problem)
        return None
