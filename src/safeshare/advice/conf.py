"""Settings for advice, letters and the victim's view, with their defaults.

Each can be set in Django settings (or left out to take the default shown here).
"""

from __future__ import annotations

from django.conf import settings


def setting(name: str, default):
    return getattr(settings, name, default)


def victim_lockout_threshold() -> int:
    """Wrong passcodes for one reference before it is locked."""
    return int(setting("SAFESHARE_VICTIM_LOCKOUT_THRESHOLD", 5))


def victim_lockout_minutes() -> int:
    """How long a reference stays locked."""
    return int(setting("SAFESHARE_VICTIM_LOCKOUT_MINUTES", 30))


def client_attempt_limit() -> int:
    """Failed sign-ins from one network address in a window before that address must wait."""
    return int(setting("SAFESHARE_VICTIM_CLIENT_LIMIT", 20))


def client_window_minutes() -> int:
    """The window for ``client_attempt_limit``."""
    return int(setting("SAFESHARE_VICTIM_CLIENT_WINDOW_MINUTES", 15))


def victim_session_minutes() -> int:
    """A victim is signed out after this long without using the pages."""
    return int(setting("SAFESHARE_VICTIM_SESSION_MINUTES", 20))


def exit_page_url() -> str:
    """Where "Exit this page" goes: a neutral page, as GOV.UK recommends."""
    return str(setting("SAFESHARE_EXIT_PAGE_URL", "https://www.bbc.co.uk/weather"))


def public_url() -> str:
    """The address printed on letters for the victim's view (no trailing slash)."""
    return str(setting("SAFESHARE_PUBLIC_URL", "http://127.0.0.1:8000")).rstrip("/")
