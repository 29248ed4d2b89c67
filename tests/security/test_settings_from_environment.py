"""Whole-number settings come from the environment; a bad one stops start-up with a clear
message naming the variable, instead of a Python error or a failure at the first request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from safeshare.settings import env_int

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("raw", "expected"), [(None, 7), ("", 7), (" 12 ", 12), ("0", 0)])
def test_a_whole_number_or_nothing_is_read(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("SAFESHARE_TEST_NUMBER", raising=False)
    else:
        monkeypatch.setenv("SAFESHARE_TEST_NUMBER", raw)
    assert env_int("SAFESHARE_TEST_NUMBER", 7) == expected


@pytest.mark.parametrize("raw", ["lots", "1.5", "-3", "1e3"])
def test_anything_else_is_refused_by_name(monkeypatch, raw):
    monkeypatch.setenv("SAFESHARE_TEST_NUMBER", raw)
    with pytest.raises(ImproperlyConfigured) as error:
        env_int("SAFESHARE_TEST_NUMBER", 7, minimum=0)
    assert str(error.value) == (
        f"SAFESHARE_TEST_NUMBER must be a whole number of at least 0, not {raw!r}."
    )


def test_a_bad_setting_stops_the_service_from_starting(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFESHARE_", "DATABASE_"))}
    env.update(SAFESHARE_VAR_DIR=str(tmp_path), SAFESHARE_MATCHING_CACHE="lots")
    result = subprocess.run(
        [sys.executable, "-m", "safeshare", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SAFESHARE_MATCHING_CACHE must be a whole number of at least 0, not 'lots'." in (
        result.stderr
    )
