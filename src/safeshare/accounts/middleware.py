"""Access control and staff session time-outs for every page."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from safeshare.accounts.permissions import EXEMPT_PATH_PREFIXES, PUBLIC, roles_for
from safeshare.accounts.read_audit import set_route

logger = logging.getLogger(__name__)
LAST_SEEN_KEY = "safeshare_last_seen"


class AccessControlMiddleware:
    """Check the declared page table before any view runs; deny what is not declared."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        set_route(request)  # the read audit names the route it was read through
        if request.path.startswith(EXEMPT_PATH_PREFIXES):
            return None
        match = request.resolver_match
        view_name = match.view_name if match else ""
        allowed = roles_for(view_name)
        if allowed == PUBLIC:
            return None
        if allowed is None:
            logger.warning("Refused undeclared route %s", view_name)
            raise PermissionDenied("This page is not open to any role.")
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.role not in allowed:
            raise PermissionDenied("Your role cannot open this page.")
        return None


class StaffSessionTimeoutMiddleware:
    """Sign staff out after a period without activity."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - last_seen > settings.SAFESHARE_STAFF_SESSION_MINUTES * 60:
                logout(request)
                return redirect_to_login(request.get_full_path())
            request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
