"""The translations compiled (as ``make messages`` does) before the language tests run."""

from __future__ import annotations

from tests.advice_web.conftest import compiled_messages  # noqa: F401 - a session fixture
