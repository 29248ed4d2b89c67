"""The victim's session: signed in with a protection reference and passcode, no account.

The middleware lets anyone reach ``/my-protection/`` (the routes are PUBLIC); every page except
sign-in checks this session itself. The session holds the protection and the letter whose
passcode was used, so issuing a new letter signs out anyone using the old one. Every victim page
is sent with ``Cache-Control: no-store`` so that nothing is kept in the browser's cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

from safeshare.advice import conf
from safeshare.advice.models import ProtectionLetter
from safeshare.protocol.models import Protection

PROTECTION_KEY = "advice_victim_protection"
LETTER_KEY = "advice_victim_letter"
SEEN_KEY = "advice_victim_seen"
VICTIM_KEYS = (PROTECTION_KEY, LETTER_KEY, SEEN_KEY)


def no_store(response: HttpResponse) -> HttpResponse:
    """Nothing from the victim's pages may be cached by the browser or anything in between."""
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    response["Pragma"] = "no-cache"
    return response


def sign_in_victim(request: HttpRequest, protection: Protection, letter: ProtectionLetter) -> None:
    request.session.cycle_key()
    request.session[PROTECTION_KEY] = protection.pk
    request.session[LETTER_KEY] = letter.pk
    request.session[SEEN_KEY] = time.time()


def sign_out_victim(request: HttpRequest) -> None:
    for key in VICTIM_KEYS:
        request.session.pop(key, None)
    request.session.cycle_key()


def victim_protection(request: HttpRequest) -> Protection | None:
    """The signed-in victim's protection, or None (and the session is cleared if stale)."""
    protection_id = request.session.get(PROTECTION_KEY)
    letter_id = request.session.get(LETTER_KEY)
    seen = request.session.get(SEEN_KEY, 0)
    if protection_id is None or letter_id is None:
        return None
    if time.time() - float(seen) > conf.victim_session_minutes() * 60:
        sign_out_victim(request)
        return None
    letter_in_use = ProtectionLetter.objects.filter(
        pk=letter_id, protection_id=protection_id, replaced_at__isnull=True
    ).exists()
    protection = (
        Protection.objects.select_related("person", "opened_by").filter(pk=protection_id).first()
    )
    if not letter_in_use or protection is None:
        sign_out_victim(request)
        return None
    request.session[SEEN_KEY] = time.time()
    return protection


def victim_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page only a signed-in victim may open; others are sent to the sign-in page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        protection = victim_protection(request)
        if protection is None:
            return no_store(redirect("advice:victim-sign-in"))
        request.victim_protection = protection  # type: ignore[attr-defined]
        return no_store(view(request, *args, **kwargs))

    return wrapped


def public_victim_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A victim-facing page anyone may open, still never cached."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return no_store(view(request, *args, **kwargs))

    return wrapped


def client_address(request: HttpRequest) -> str:
    """The network address tries are counted against: ``X-Forwarded-For`` is believed only from
    ``SAFESHARE_TRUSTED_PROXIES`` (``safeshare.accounts.lockout.client_address``)."""
    from safeshare.accounts.lockout import client_address as trusted_client_address

    return trusted_client_address(request)
