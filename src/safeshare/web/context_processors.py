"""Values every page needs."""

from __future__ import annotations

from django.http import HttpRequest

from safeshare.web.navigation import navigation_for

SERVICE_NAME = "SafeShare"


def service(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    navigation: list[dict[str, object]] = []
    if user is not None and user.is_authenticated and user.role:
        match = getattr(request, "resolver_match", None)
        navigation = navigation_for(user.role, match.view_name if match else "")
    return {"service_name": SERVICE_NAME, "navigation": navigation}
