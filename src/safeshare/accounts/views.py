"""Sign in, second factor and sign out."""

from __future__ import annotations

import time

import pyotp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from safeshare.accounts import actions, lockout
from safeshare.accounts.forms import SecondFactorForm, SignInForm
from safeshare.accounts.models import User
from safeshare.accounts.passkeys import has_second_factor
from safeshare.accounts.requests import AuthenticatedHttpRequest

PENDING_USER_KEY = "safeshare_pending_second_factor"
PENDING_NEXT_KEY = "safeshare_pending_next"
SIGNED_IN_AT_KEY = "safeshare_signed_in_at"


def _signed_in_recently(request: HttpRequest) -> bool:
    signed_in_at = request.session.get(SIGNED_IN_AT_KEY, 0)
    return time.time() - signed_in_at <= settings.SAFESHARE_REAUTH_MINUTES * 60


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return "/"


def _complete_sign_in(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SIGNED_IN_AT_KEY] = time.time()
    actions.do_record_successful_sign_in(user)
    lockout.do_record_successful_sign_in(request, user.email)
    for notice in lockout.do_take_unseen_notices(user):
        messages.warning(request, notice)
    return redirect(next_url)


@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url)
    form = SignInForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and form.is_valid():
        user = form.user
        assert user is not None  # set by the form's clean() once it is valid
        enrolled = has_second_factor(user)
        if enrolled or settings.SAFESHARE_SECOND_FACTOR_REQUIRED:
            request.session.cycle_key()
            request.session[PENDING_USER_KEY] = user.pk
            request.session[PENDING_NEXT_KEY] = next_url
            if enrolled:
                return redirect("accounts:second-factor")
            return redirect("accounts:second-factor-enrol")
        return _complete_sign_in(request, user, next_url)
    status = 400 if form.is_bound else 200
    return render(
        request, "accounts/sign_in.html", {"form": form, "next": next_url}, status=status
    )


@never_cache
def second_factor(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(PENDING_USER_KEY)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    if user is None or not has_second_factor(user):
        return redirect("accounts:sign-in")
    form = SecondFactorForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST":
        lock = lockout.sign_in_lock(request, user.email)
        if lock is not None:
            request.session.pop(PENDING_USER_KEY, None)
            messages.error(request, lock.message)
            return redirect("accounts:sign-in")
        if form.is_valid():
            next_url = request.session.pop(PENDING_NEXT_KEY, "/")
            request.session.pop(PENDING_USER_KEY, None)
            return _complete_sign_in(request, user, next_url)
        lock = lockout.do_record_failed_sign_in(request, user.email)
        if lock is not None:
            request.session.pop(PENDING_USER_KEY, None)
            messages.error(request, lock.message)
            return redirect("accounts:sign-in")
    return render(
        request,
        "accounts/second_factor.html",
        {
            "form": form,
            "has_totp": user.totp_confirmed,
            "has_passkey": user.passkeys.exists(),
        },
        status=400 if form.is_bound else 200,
    )


def _qr_code(user: User) -> str:
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name="SafeShare")
    return segno.make(uri).svg_inline(scale=4, title="Code to scan")


@never_cache
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Two-step sign-in is required: someone who has not set it up does so before signing in."""
    user_id = request.session.get(PENDING_USER_KEY)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    if user is None or has_second_factor(user):
        return redirect("accounts:sign-in")
    if not user.totp_secret:
        actions.do_start_totp_enrolment(user)
    form = SecondFactorForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST":
        if form.is_valid():
            actions.do_mark_totp_confirmed(user)
            next_url = request.session.pop(PENDING_NEXT_KEY, "/")
            request.session.pop(PENDING_USER_KEY, None)
            messages.success(request, "Two-step sign-in is now on for your account.")
            return _complete_sign_in(request, user, next_url)
        lock = lockout.do_record_failed_sign_in(request, user.email)
        if lock is not None:
            request.session.pop(PENDING_USER_KEY, None)
            messages.error(request, lock.message)
            return redirect("accounts:sign-in")
    return render(
        request,
        "accounts/second_factor_enrol.html",
        {"form": form, "qr_svg": _qr_code(user), "secret": user.totp_secret},
        status=400 if form.is_bound else 200,
    )


@never_cache
def second_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST" and "start" in request.POST:
        if user.totp_confirmed and not _signed_in_recently(request):
            # Replacing a working second factor needs a fresh sign-in, with the old one.
            logout(request)
            messages.info(request, "Sign in again to change your two-step sign-in.")
            return redirect_to_login(reverse("accounts:second-factor-setup"))
        actions.do_start_totp_enrolment(user)
        return redirect("accounts:second-factor-setup")
    form = SecondFactorForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        actions.do_mark_totp_confirmed(user)
        messages.success(request, "Two-step sign-in is now on for your account.")
        return redirect("web:home")
    qr_svg = ""
    if user.totp_secret and not user.totp_confirmed:
        qr_svg = _qr_code(user)
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": user.totp_secret,
            "passkeys": list(user.passkeys.all()),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("accounts:sign-in")
