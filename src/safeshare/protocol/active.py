"""The policy in force, from settings (``SAFESHARE_POLICY``)."""

from __future__ import annotations

import functools

from django.conf import settings

from safeshare.protocol.policy import Policy, PolicyError, load_policy


@functools.lru_cache(maxsize=16)
def policy_by_id(policy_id: str) -> Policy:
    """A shipped policy, parsed once per process (its version is the file's hash)."""
    return load_policy(policy_id)


def active_policy() -> Policy:
    """The policy in force now."""
    return policy_by_id(settings.SAFESHARE_POLICY)


def policy_title(policy_id: str) -> str:
    """A policy as people know it, by its title (its id is for the API and the ledger); empty
    for a policy no longer shipped."""
    try:
        return policy_by_id(policy_id).title
    except PolicyError:
        return ""
