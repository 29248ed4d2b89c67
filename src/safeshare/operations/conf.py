"""Operations settings, read from Django's settings (``settings.py`` reads the environment)."""

from __future__ import annotations

from django.conf import settings


def _setting(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    return str(default if value is None else value)


def metrics_token() -> str:
    """The bearer token Prometheus sends to /metrics (``SAFESHARE_METRICS_TOKEN``)."""
    return _setting("SAFESHARE_METRICS_TOKEN", "")


def metrics_allowed_networks() -> list[str]:
    """Addresses or networks that may read /metrics without a token
    (``SAFESHARE_METRICS_ALLOW``, comma-separated, e.g. ``10.0.0.0/8,127.0.0.1``)."""
    return [item.strip() for item in _setting("SAFESHARE_METRICS_ALLOW", "").split(",") if item]


def retry_after_seconds() -> int:
    """What a 503 tells clients to wait before retrying (``SAFESHARE_RETRY_AFTER_SECONDS``)."""
    return int(_setting("SAFESHARE_RETRY_AFTER_SECONDS", "5"))


def api_lockout_threshold() -> int:
    """Failed bearer tokens from one address, within the window, that lock the address out."""
    return int(_setting("SAFESHARE_API_LOCKOUT_THRESHOLD", "20"))


def api_lockout_minutes() -> int:
    """The counting window and the length of an API lockout, in minutes."""
    return int(_setting("SAFESHARE_API_LOCKOUT_MINUTES", "15"))


def behind_proxy() -> bool:
    return bool(getattr(settings, "SAFESHARE_BEHIND_PROXY", False)) or bool(
        getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    )
