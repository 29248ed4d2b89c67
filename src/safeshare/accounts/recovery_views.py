"""The administrator's page for resetting someone's two-step sign-in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from safeshare.accounts.actors import Actor
from safeshare.accounts.recovery import ResetForm, do_reset_second_factor
from safeshare.accounts.requests import AuthenticatedHttpRequest
from safeshare.accounts.views import _signed_in_recently


@never_cache
def reset_second_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    administrator = request.user
    form = ResetForm(
        request.POST if request.method == "POST" else None,
        administrator=administrator,
    )
    if request.method == "POST" and form.is_valid():
        if not _signed_in_recently(request):
            # Resetting someone's second factor needs a fresh sign-in, as changing one's own.
            logout(request)
            messages.info(request, "Sign in again to reset someone's two-step sign-in.")
            return redirect_to_login(reverse("accounts:second-factor-reset"))
        assert form.user is not None
        do_reset_second_factor(form.user, Actor.for_user(administrator))
        messages.success(
            request,
            f"Two-step sign-in reset for {form.user.email}. They will set it up again when they "
            "next sign in.",
        )
        return redirect("accounts:second-factor-reset")
    return render(
        request,
        "accounts/second_factor_reset.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
