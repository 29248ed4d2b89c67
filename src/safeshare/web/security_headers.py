"""Response headers that no Django setting covers: ``Permissions-Policy``, and no ``Server``.

The policy turns off every powerful browser feature SafeShare never uses, for its own pages and
anything they could embed, and allows passkeys (WebAuthn) for its own pages only. The
``Server`` header (a banner naming the software) is dropped here
for anything Django answers; the server in front is told not to add its own (``--no-server-header``
in the Containerfile and the Makefile).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
# Passkeys (two-step sign-in) are used by SafeShare's own pages only, never by anything embedded.
PERMISSIONS_POLICY += ", publickey-credentials-get=(self), publickey-credentials-create=(self)"


class SecurityHeadersMiddleware:
    """Add ``Permissions-Policy``; remove ``Server``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if "Server" in response.headers:
            del response.headers["Server"]
        return response
