"""The register's matching, for ``protocol``, which sits below the register app.

A clearance (``protocol``) must match its subject against the register, and a newly recorded
identity of a protected person must be indexed in it; but the register app builds on
``protocol`` (its import opens protections, its answers are the protocol's match outcomes).
``register`` provides both functions when Django starts (``RegisterConfig.ready``), as
``protocol`` provides the policy in force (``kernel.policy``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_match: Callable[..., Any] | None = None
_index: Callable[..., Any] | None = None


def provide(match: Callable[..., Any], index: Callable[..., Any]) -> None:
    """Say how to match a subject and index an identity (called once, by ``register``)."""
    global _match, _index
    _match, _index = match, index


def _need(function: Callable[..., Any] | None) -> Callable[..., Any]:
    if function is None:
        raise RuntimeError("No register: safeshare.register is not in INSTALLED_APPS.")
    return function


def match_subject(request_id: str, subject: Any) -> Any:
    """Match ``subject`` against the register: ``(MatchOutcome, MatchResult)``."""
    return _need(_match)(request_id, subject)


def index_identity(identity: Any, protection: Any) -> Any:
    """Add or refresh a protected person's identity in the register."""
    return _need(_index)(identity, protection)
