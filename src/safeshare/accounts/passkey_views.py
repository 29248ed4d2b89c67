"""Passkey endpoints: the browser script (``accounts/passkeys.mjs``) asks for options, lets the
authenticator answer, and posts the answer back. Every answer is JSON: ``{"redirect": url}`` or
the standard error body ``{"error": {"code", "message"}}``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from safeshare.accounts import lockout
from safeshare.accounts.models import User
from safeshare.accounts.passkeys import (
    PasskeyError,
    authentication_options,
    do_register_passkey,
    do_remove_passkey,
    do_use_passkey,
    has_second_factor,
    registration_options,
)
from safeshare.accounts.requests import AuthenticatedHttpRequest
from safeshare.accounts.views import (
    PENDING_NEXT_KEY,
    PENDING_USER_KEY,
    _complete_sign_in,
    _signed_in_recently,
)


def _error(status: int, code: str, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}, **extra}, status=status)


def _options(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


def _pending(request: HttpRequest, *, enrolled: bool) -> User | None:
    user_id = request.session.get(PENDING_USER_KEY)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    if user is None or has_second_factor(user) is not enrolled:
        return None
    return user


def _no_pending() -> JsonResponse:
    return _error(409, "sign_in_expired", "Sign in again", redirect=reverse("accounts:sign-in"))


def _finish(request: HttpRequest, user: User) -> JsonResponse:
    next_url = request.session.pop(PENDING_NEXT_KEY, "/")
    request.session.pop(PENDING_USER_KEY, None)
    response = _complete_sign_in(request, user, next_url)
    return JsonResponse({"redirect": response["Location"]})


@never_cache
@require_POST
def enrol_options(request: HttpRequest) -> HttpResponse:
    user = _pending(request, enrolled=False)
    if user is None:
        return _no_pending()
    return _options(registration_options(request, user))


@never_cache
@require_POST
def enrol(request: HttpRequest) -> HttpResponse:
    user = _pending(request, enrolled=False)
    if user is None:
        return _no_pending()
    try:
        do_register_passkey(request, user, request.body)
    except PasskeyError as error:
        return _error(400, "passkey_refused", str(error))
    messages.success(request, "Two-step sign-in with your passkey is now on for your account.")
    return _finish(request, user)


@never_cache
@require_POST
def sign_in_options(request: HttpRequest) -> HttpResponse:
    user = _pending(request, enrolled=True)
    if user is None or not user.passkeys.exists():
        return _no_pending()
    return _options(authentication_options(request, user))


@never_cache
@require_POST
def sign_in(request: HttpRequest) -> HttpResponse:
    user = _pending(request, enrolled=True)
    if user is None:
        return _no_pending()
    lock = lockout.sign_in_lock(request, user.email)
    if lock is None:
        try:
            do_use_passkey(request, user, request.body)
        except PasskeyError as error:
            lock = lockout.do_record_failed_sign_in(request, user.email)
            if lock is None:
                return _error(400, "passkey_refused", str(error))
        else:
            return _finish(request, user)
    request.session.pop(PENDING_USER_KEY, None)
    return _error(429, "locked", lock.message, redirect=reverse("accounts:sign-in"))


def _needs_fresh_sign_in(request: AuthenticatedHttpRequest) -> JsonResponse | None:
    """Changing a working second factor needs a recent sign-in (as the app code's set-up)."""
    user = request.user
    if has_second_factor(user) and not _signed_in_recently(request):
        return _error(
            403,
            "sign_in_again",
            "Sign in again to change your two-step sign-in",
            redirect=f"{reverse('accounts:sign-in')}?next={reverse('accounts:second-factor-setup')}",
        )
    return None


@never_cache
@require_POST
def account_options(request: AuthenticatedHttpRequest) -> HttpResponse:
    refused = _needs_fresh_sign_in(request)
    if refused is not None:
        return refused
    return _options(registration_options(request, request.user))


@never_cache
@require_POST
def account_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    refused = _needs_fresh_sign_in(request)
    if refused is not None:
        return refused
    try:
        do_register_passkey(request, request.user, request.body)
    except PasskeyError as error:
        return _error(400, "passkey_refused", str(error))
    messages.success(request, "Passkey added.")
    return JsonResponse({"redirect": reverse("accounts:second-factor-setup")})


@never_cache
@require_POST
def account_remove(request: AuthenticatedHttpRequest, passkey_id: int) -> HttpResponse:
    from django.contrib.auth import logout
    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import redirect

    user = request.user
    if not _signed_in_recently(request):
        logout(request)
        messages.info(request, "Sign in again to change your two-step sign-in.")
        return redirect_to_login(reverse("accounts:second-factor-setup"))
    others = user.passkeys.exclude(pk=passkey_id).exists()
    if settings.SAFESHARE_SECOND_FACTOR_REQUIRED and not (others or user.totp_confirmed):
        messages.error(
            request, "Add another passkey or an authenticator app before removing this one."
        )
    elif do_remove_passkey(user, passkey_id):
        messages.success(request, "Passkey removed.")
    return redirect("accounts:second-factor-setup")
