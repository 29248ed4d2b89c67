"""A malformed SMTP address stops start-up with a message naming the setting, instead of every
email failing later in the worker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from safeshare.notifications.channels import parse_smtp_url
from safeshare.settings import _smtp_url_ok

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "url",
    [
        "smtp://safeshare:s3cret%20pass@localhost:2525",
        "smtp://mail.example.org",
        "smtp://user@mail.example.org:587",
    ],
)
def test_a_well_formed_address_is_taken_and_read_the_same(url):
    assert _smtp_url_ok(url)
    assert parse_smtp_url(url, "no-reply@example.org").host


@pytest.mark.parametrize(
    "url",
    [
        "mail.example.org",
        "smtps://user:pass@mail.example.org:465",
        "smtp://user:pass@:587",
        "smtp://user:pass@mail.example.org:port",
        "smtp://user:pass@mail.example.org:99999",
    ],
)
def test_a_malformed_address_is_refused(url):
    assert not _smtp_url_ok(url)


def test_a_malformed_address_stops_the_service_from_starting(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFESHARE_", "DATABASE_"))}
    env.update(SAFESHARE_VAR_DIR=str(tmp_path), SAFESHARE_SMTP_URL="mail.example.org:25")
    result = subprocess.run(
        [sys.executable, "-m", "safeshare", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SAFESHARE_SMTP_URL must look like smtp://user:pass@host:port" in result.stderr
