"""The protocol policy in force, for the layers below ``protocol``.

Cases and the ledger stamp what they record with the policy in force, but sit below the app
that chooses it. ``protocol`` provides the lookup when Django starts (``ProtocolConfig.ready``);
they call ``policy_in_force()``. The policy itself is the pure core ``protocol/policy.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a pure core: the kernel only names its type
    from safeshare.protocol.policy import Policy

_provider: Callable[[], Policy] | None = None


def provide(lookup: Callable[[], Policy]) -> None:
    """Say how to find the policy in force (called once, by ``protocol`` at start-up)."""
    global _provider
    _provider = lookup


def policy_in_force() -> Policy:
    """The policy in force now (``SAFESHARE_POLICY``)."""
    if _provider is None:
        raise RuntimeError("No policy lookup: safeshare.protocol is not in INSTALLED_APPS.")
    return _provider()
