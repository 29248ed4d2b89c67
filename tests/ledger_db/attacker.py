"""A reader who tries to link ledger entries, with only what the log's public form gives.

The attacker collects every 64-hex-digit value in every entry it can read (subjects, payload
tokens, digests, anything) and looks for a value shared by two entries. Values that are global
by design (a policy version, a previous policy version, a key) are set aside: they are the same
in every entry written under them and say nothing about a person. Everything else that two
entries share is a link. Used by the acceptance tests and by ``bench/ledger_linkage.py``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

HEX64 = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
GLOBAL_FIELDS = ("policy_version", "previous_policy_version")


def _values(entry: Mapping[str, object]) -> set[str]:
    return set(HEX64.findall(json.dumps(entry, sort_keys=True)))


def global_values(entries: Iterable[Mapping[str, object]]) -> set[str]:
    """Values that are the same for everyone by design: policy versions."""
    found: set[str] = set()
    for entry in entries:
        found.add(str(entry.get("policy_version")))
        payload = entry.get("payload") or {}
        if isinstance(payload, Mapping):
            found.update(str(payload[name]) for name in GLOBAL_FIELDS if payload.get(name))
    return found


@dataclass(frozen=True)
class Linkage:
    """What the attacker could link."""

    entries: int
    own: int
    own_linked: int
    others_linked: int
    other_orgs_linked: int
    shared_values: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def link(
    entries: list[Mapping[str, object]], is_own: Callable[[Mapping[str, object]], bool]
) -> Linkage:
    """Link ``entries`` through shared values, starting from those ``is_own`` picks out.

    ``own_linked``: own entries that share a value with any other entry. ``others_linked``:
    entries not the attacker's own that share a value with one of its own entries (directly or
    through a chain of shared values). ``other_orgs_linked`` counts those written by another
    organisation than the own entries'.
    """
    excluded = global_values(entries)
    by_value: dict[str, list[int]] = defaultdict(list)
    values = []
    for position, entry in enumerate(entries):
        found = _values(entry) - excluded
        values.append(found)
        for value in found:
            by_value[value].append(position)
    shared = {value for value, where in by_value.items() if len(where) > 1}
    own = [position for position, entry in enumerate(entries) if is_own(entry)]
    own_orgs = {entries[position].get("actor_org") for position in own}
    own_linked = sum(1 for position in own if values[position] & shared)
    reached: set[int] = set(own)
    frontier = list(own)
    while frontier:
        position = frontier.pop()
        for value in values[position] & shared:
            for other in by_value[value]:
                if other not in reached:
                    reached.add(other)
                    frontier.append(other)
    others = reached - set(own)
    return Linkage(
        entries=len(entries),
        own=len(own),
        own_linked=own_linked,
        others_linked=len(others),
        other_orgs_linked=sum(1 for p in others if entries[p].get("actor_org") not in own_orgs),
        shared_values=len(shared),
    )


def read_log(get: Callable[..., object], page: int = 1000) -> tuple[list[dict], int]:
    """Every entry the API serves to the caller (``get(path, **params)`` returns a response),
    and how many it withheld (served as leaf hashes only)."""
    size = get("/ledger/checkpoint", format="json").json()["size"]
    entries: list[dict] = []
    withheld = 0
    for start in range(0, size, page):
        response = get("/ledger/entries", start=start, end=min(size, start + page))
        assert response.status_code == 200, response.content
        for item in response.json()["entries"]:
            if item.get("entry") is None:
                withheld += 1
            else:
                entries.append(json.loads(item["entry"]))
    return entries, withheld


def is_ie_clearance(entry: Mapping[str, object]) -> bool:
    """IE's own clearance entries: a clearance decision written by an IE organisation."""
    return entry.get("kind") == "clearance_decision" and str(
        entry.get("actor_org", "")
    ).startswith("IE")
