"""Values every page needs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from safeshare.web.navigation import navigation_for

SERVICE_NAME = "SafeShare"


def service(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    navigation: list[dict[str, object]] = []
    if user is not None and user.is_authenticated and user.role:
        match = getattr(request, "resolver_match", None)
        navigation = navigation_for(user.role, match.view_name if match else "")
    return {
        "service_name": SERVICE_NAME,
        "navigation": navigation,
        # The timeout warning (web/base.html) counts down the staff session's idle limit.
        "staff_session_minutes": settings.SAFESHARE_STAFF_SESSION_MINUTES,
    }
