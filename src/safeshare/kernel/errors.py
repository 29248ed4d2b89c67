"""The base of every refusal a SafeShare action can give, with the HTTP status it maps to.

Modelled on Zulip's ``JsonableError``: an action raises a subclass naming its ``code`` and
``http_status``; the API answers every one of them with the same error body, and knows no app's
error types by name.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError


class SafeShareError(Exception):
    """A refusal with a stable machine-readable ``code`` and the HTTP status the API answers."""

    http_status: int = 400
    code: str = "refused"

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        http_status: int | None = None,
        fields: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status
        self.fields = dict(fields or {})
        self.headers = dict(headers or {})


class RuleRefusal(ValidationError):
    """A refusal by the protocol's rules, with every reason. Also a ``ValidationError``, so that
    forms show the reasons; the API answers ``http_status`` with ``error_code``."""

    http_status: int = 409
    error_code: str = "not_allowed"

    def after_rollback(self) -> None:
        """Record what must outlive the refusal, once the request's transaction has rolled
        back (nothing by default). The API and pages call it when they answer the refusal."""
