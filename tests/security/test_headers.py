"""Headers: ``Permissions-Policy`` on every answer, no ``Server`` banner, and the HTTPS redirect
and HSTS on by default in production settings, off with ``SAFESHARE_HTTPS=0`` for local use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from safeshare.web.security_headers import PERMISSIONS_POLICY, SecurityHeadersMiddleware

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "from django.conf import settings as s; import json; print(json.dumps({"
    "'redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS, "
    "'preload': s.SECURE_HSTS_PRELOAD, 'secure_cookies': s.SESSION_COOKIE_SECURE}))"
)


def settings_with(tmp_path, **variables) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFESHARE_", "DATABASE_"))}
    env.update(SAFESHARE_VAR_DIR=str(tmp_path), **variables)
    result = subprocess.run(
        [sys.executable, "-m", "safeshare", "shell", "-c", SHOW],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_redirect_to_https_and_send_hsts(tmp_path):
    shown = settings_with(tmp_path)
    assert shown == {"redirect": True, "hsts": 31536000, "preload": False, "secure_cookies": True}


def test_local_use_turns_the_redirect_and_hsts_off(tmp_path):
    shown = settings_with(tmp_path, SAFESHARE_HTTPS="0")
    assert shown["redirect"] is False
    assert shown["hsts"] == 0


def test_preloading_is_a_choice(tmp_path):
    assert settings_with(tmp_path, SAFESHARE_HSTS_PRELOAD="1")["preload"] is True


@pytest.mark.django_db
def test_the_redirect_sends_plain_http_to_https_but_not_the_probes(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    response = client.get(reverse("web:accessibility"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accessibility/", "/api/v1/whoami", "/healthz", "/nowhere"])
def test_every_answer_has_a_permissions_policy_and_no_server_banner(client, path):
    response = client.get(path)
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    for feature in ("camera", "geolocation", "microphone", "payment", "usb"):
        assert f"{feature}=()" in response["Permissions-Policy"]
    assert "Server" not in response


def test_a_server_banner_from_below_is_removed():
    def view(request):
        response = HttpResponse("ok")
        response["Server"] = "gunicorn"
        return response

    response = SecurityHeadersMiddleware(view)(RequestFactory().get("/"))
    assert "Server" not in response
