"""Security settings are on by default: CSP, secure cookies, CSRF, frame and content headers."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_strict_content_security_policy_with_a_nonce(client):
    response = client.get(reverse("accounts:sign-in"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.text


def test_cookies_are_secure_and_http_only(client):
    response = client.get(reverse("accounts:sign-in"))
    csrf_cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf_cookie["secure"]
    assert csrf_cookie["httponly"]
    assert settings.SESSION_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY


def test_csrf_is_enforced(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:sign-in"), {"email": "a@b.test", "password": "x"})
    assert response.status_code == 403
    assert "your form could not be sent" in response.text


def test_debug_is_off_and_headers_are_set(client):
    assert settings.DEBUG is False
    response = client.get(reverse("web:accessibility"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_use_gov_uk_layout_and_error_pages_match(client):
    page = client.get(reverse("web:accessibility"))
    assert 'class="govuk-template"' in page.text
    assert "govuk-footer" in page.text
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "Page not found" in missing.text
    assert "govuk-template" in missing.text


def test_secret_key_is_not_committed():
    from pathlib import Path

    repository = Path(__file__).resolve().parents[2]
    tracked_text = "".join(
        path.read_text(errors="ignore") for path in (repository / "src").rglob("*.py")
    )
    assert settings.SECRET_KEY not in tracked_text
    assert len(settings.SECRET_KEY) >= 50
