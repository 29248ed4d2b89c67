"""The rules a recorded decision was made under: from the repository's policy files, or else
from the database's registry of every policy file the service has run with (``PolicyFile``)."""

from __future__ import annotations

from safeshare.protocol.models import PolicyFile
from safeshare.protocol.policy import Policy, PolicyError, load_policy_version, parse_policy


def load_recorded_policy(policy_id: str, version: str) -> Policy:
    """The policy ``policy_id`` at ``version``; ``PolicyError`` if neither holds it."""
    try:
        return load_policy_version(policy_id, version)
    except PolicyError:
        stored = PolicyFile.objects.filter(version=version, policy_id=policy_id).first()
        if stored is None:
            raise
    policy = parse_policy(stored.content.encode("utf-8"), policy_id)
    if policy.version != version:
        raise PolicyError(
            f"{policy_id}.toml", "version", "the stored file does not match its recorded hash."
        )
    return policy
