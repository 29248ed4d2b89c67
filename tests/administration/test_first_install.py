"""A fresh install reaches a working administrator and officer with commands and pages only."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
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


# The processes make their own SQLite file whatever the pass's engine: the PostgreSQL pass would
# run the same thing again.
@pytest.mark.sqlite_only
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


@pytest.mark.slow
@pytest.mark.sqlite_only  # its own SQLite file, as above
def test_the_first_install_walk_prints_each_command_and_the_officer_signs_in(tmp_path):
    """``scripts/first-install-walk``: real processes on a new database, as an operator types
    them (migrate, a force, an IE unit, an administrator and an officer invited with the link
    printed), then the officer sets a password and two-step sign-in, signs out, signs in with
    a code and reaches the force's cases."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "first-install-walk"
    done = subprocess.run(
        [sys.executable, str(script), "--keep", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for line in (
        "$ safeshare migrate --no-input",
        "Created West Midlands Police (WMP), a police force.",
        "Created IE National Command and Control Unit (IE-NCCU), an Immigration Enforcement unit.",
        "No email server is set up, so give admin@wmp.example this link yourself",
        "No email server is set up, so give officer@wmp.example this link yourself",
        "Open the invitation link: 200",
        "Choose a password: 302 -> /sign-in/set-up-two-step/",
        "Two-step sign-in set up: True",
        "Open the cases page signed out: 302 -> /sign-in/?next=/cases/",
        "Sign in with email and password: 302 -> /sign-in/security-code/",
        "Give the security code: 302 -> /",
        "Open the cases page: 200",
        "Signed in as officer@wmp.example; the page's heading: Cases",
    ):
        assert line in out, f"missing {line!r} in:\n{out}"
    assert re.search(r"officer@wmp\.example .* WMP .* police_officer .* yes .* 20\d\d-", out)
    assert (tmp_path / "fresh.sqlite3").is_file()
