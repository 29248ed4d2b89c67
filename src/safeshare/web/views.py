"""Home pages per role, information pages and error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_POST

from safeshare.accounts.requests import AuthenticatedHttpRequest
from safeshare.kernel.roles import Role

HOME_TEMPLATES = {role: f"web/home/{role.value}.html" for role in Role}


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    role = Role(request.user.role)
    return render(request, HOME_TEMPLATES[role], {"role": role})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "web/privacy.html")


@require_POST
def stay_signed_in(request: HttpRequest) -> HttpResponse:
    """Keep a staff session open: the timeout warning's "Stay signed in". The request itself
    counts as activity (the session timeout middleware records it), so there is nothing else to
    do. Without scripts, the form lands back on the home page."""
    if request.headers.get("Accept", "").startswith("application/json"):
        return HttpResponse(status=204)
    return redirect("web:home")


def _error_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    return HttpResponse(loader.render_to_string(template, request=request), status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "404.html", 404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return _error_page(request, "500.html", 500)
    except Exception:  # the error page itself must never fail
        return HttpResponse(
            "<h1>Sorry, there is a problem with the service</h1><p>Try again later.</p>",
            status=500,
        )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error_page(request, "403_csrf.html", 403)
