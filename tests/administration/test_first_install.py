"""A fresh install reaches a working administrator and officer with commands and pages only."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from urllib.parse import urlsplit

import pyotp
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from safeshare.accounts.models import User
from safeshare.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db
PASSWORD = "a long and unusual passphrase"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def accept(client: Client, link: str, email: str) -> User:
    """Open the link, choose a password and, for staff, set up two-step sign-in."""
    parts = urlsplit(link)
    url = f"{parts.path}?{parts.query}"
    page = client.get(url)
    assert page.status_code == 200
    assert "Set up your account" in page.content.decode()
    code = parts.query.removeprefix("code=")
    response = client.post(
        parts.path,
        {"code": code, "password": PASSWORD, "password_again": PASSWORD, "first_name": "Ada"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("accounts:second-factor-enrol")
    client.get(response["Location"])
    user = User.objects.get(email=email)
    totp = pyotp.TOTP(user.totp_secret).now()
    response = client.post(reverse("accounts:second-factor-enrol"), {"code": totp})
    assert response.status_code == 302
    user.refresh_from_db()
    return user


def test_commands_and_pages_take_a_fresh_install_to_a_signed_in_officer(settings):
    settings.SAFESHARE_EMAIL_NOTICES = False
    assert "Created West Midlands Police (WMP)" in run(
        "orgs",
        "create",
        "--code",
        "wmp",
        "--name",
        "West Midlands Police",
        "--kind",
        "police_force",
        "--official-code",
        "20",
    )
    created = json.loads(
        run(
            "orgs",
            "create",
            "--code",
            "IE-NCCU",
            "--name",
            "IE National Command and Control Unit",
            "--kind",
            "ie_unit",
            "--json",
        )
    )
    assert created["code"] == "IE-NCCU"
    assert "ie_caseworker" in created["roles"]
    printed = run(
        "users",
        "invite",
        "--org",
        "WMP",
        "--role",
        "administrator",
        "--email",
        "Admin@WMP.example",
    )
    link = re.search(r"https?://\S+", printed).group(0)

    admin_client = Client()
    admin = accept(admin_client, link, "admin@wmp.example")
    assert admin.role == "administrator"
    assert admin.totp_confirmed
    assert admin_client.get(reverse("web:home")).status_code == 200
    # The link works once.
    parts = urlsplit(link)
    assert Client().get(f"{parts.path}?{parts.query}").status_code == 404

    # The administrator invites an officer on the page; with no email server it shows the link.
    page = admin_client.post(
        reverse("administration:people"),
        {"action": "invite", "email": "officer@wmp.example", "role": "police_officer"},
    )
    assert page.status_code == 200
    officer_link = re.search(r"<code>(\S+)</code>", page.content.decode()).group(1)
    officer_client = Client()
    officer = accept(officer_client, officer_link.replace("&amp;", "&"), "officer@wmp.example")
    assert officer.role == "police_officer"
    assert officer_client.get(reverse("cases:list")).status_code == 200

    listed = json.loads(run("users", "list", "--org", "WMP", "--json"))
    assert {row["email"] for row in listed} == {"admin@wmp.example", "officer@wmp.example"}
    assert all(row["last_sign_in"] for row in listed)
    kinds = list(
        LedgerEntry.objects.filter(kind="account_changed").values_list("draft", flat=True)
    )
    actions = sorted(entry["payload"]["admin_action"] for entry in kinds)
    assert actions == sorted(
        [
            "organisation_created",
            "organisation_created",
            "user_invited",
            "invitation_accepted",
            "user_invited",
            "invitation_accepted",
        ]
    )


def test_the_command_line_alone_works_on_a_fresh_database(tmp_path):
    """Real processes on a new SQLite file: migrate, create, invite (the link is printed)."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "SAFESHARE_EMAIL_HOST": "",
    }
    command = [sys.executable, "-m", "safeshare"]

    def safeshare(*args: str) -> str:
        done = subprocess.run(
            [*command, *args], env=env, capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    safeshare("migrate", "--no-input")
    safeshare(
        "orgs",
        "create",
        "--code",
        "WMP",
        "--name",
        "West Midlands Police",
        "--kind",
        "police_force",
        "--official-code",
        "20",
    )
    out = json.loads(
        safeshare(
            "users",
            "invite",
            "--org",
            "WMP",
            "--role",
            "administrator",
            "--email",
            "admin@wmp.example",
            "--json",
        )
    )
    assert out["emailed"] is False
    assert "/invitation/?code=" in out["link"]
