"""Where candidates come from: the ``CandidateSource`` protocol and an in-memory register.

A PostgreSQL or SQLite source implements the same two calls over an indexed table
``(key, identity_id)`` plus the stored ``PreparedIdentity.to_json()`` of each identity::

    SELECT key, count(*) FROM identity_key WHERE key IN (...) GROUP BY key      -- key_counts
    SELECT DISTINCT i.id, i.prepared FROM identity_key k JOIN identity i ON ...
     WHERE k.key IN (...)                                                      -- candidates
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Protocol, runtime_checkable

from rapidfuzz.distance import DamerauLevenshtein

from safeshare.matching.blocking import blocking_keys
from safeshare.matching.record import IdentityRecord, PreparedIdentity, prepare

__all__ = ["CandidateSource", "InMemoryRegister", "TokenNeighbours"]


@runtime_checkable
class CandidateSource(Protocol):
    """Anything the matcher can ask for candidates: the protected-identity register."""

    def __len__(self) -> int:
        """Number of identities in the register (used for name-frequency adjustment)."""
        ...

    def key_counts(self, keys: Iterable[str]) -> Mapping[str, int]:
        """How many identities are indexed under each key (missing keys may be omitted)."""
        ...

    def candidates(self, keys: Iterable[str]) -> Iterable[tuple[Hashable, PreparedIdentity]]:
        """Every identity indexed under any of ``keys``, each once."""
        ...


_Posting = Hashable | list | set
_NO_KEYS: frozenset[str] = frozenset()
_SET_ABOVE = 64


class InMemoryRegister:
    """A register held in memory: a dict of prepared identities and an inverted key index.

    Posting lists are stored as a bare id (most keys are unique), a list, or a set once long,
    and identities are stored without their keys (recomputed on removal), to keep 10^6
    identities within a small memory budget.
    """

    __slots__ = ("_identities", "_index", "_near")

    def __init__(
        self, identities: Iterable[tuple[Hashable, IdentityRecord | PreparedIdentity]] = ()
    ):
        self._identities: dict[Hashable, PreparedIdentity] = {}
        self._index: dict[str, _Posting] = {}
        #: Built on first use by ``similar_tokens`` from the token keys (``t:``).
        self._near: TokenNeighbours | None = None
        for identity_id, identity in identities:
            self.add(identity_id, identity)

    def __len__(self) -> int:
        return len(self._identities)

    def __contains__(self, identity_id: object) -> bool:
        return identity_id in self._identities

    def __iter__(self) -> Iterator[tuple[Hashable, PreparedIdentity]]:
        return iter(self._identities.items())

    def get(self, identity_id: Hashable) -> PreparedIdentity | None:
        return self._identities.get(identity_id)

    def add(self, identity_id: Hashable, identity: IdentityRecord | PreparedIdentity) -> None:
        """Add an identity (replacing any with the same id)."""
        prepared = prepare(identity) if isinstance(identity, IdentityRecord) else identity
        if identity_id in self._identities:
            self.remove(identity_id)
        keys = prepared.keys or blocking_keys(prepared)
        # Stored without its keys (they are recomputed on removal): saves memory at 10^6.
        self._identities[identity_id] = (
            replace(prepared, keys=_NO_KEYS) if prepared.keys else prepared
        )
        index = self._index
        near = self._near
        for key in keys:
            posting = index.get(key)
            if posting is None:
                index[key] = identity_id
                if near is not None and key.startswith("t:"):
                    near.add(key[2:])
            elif isinstance(posting, list):
                posting.append(identity_id)
                if len(posting) > _SET_ABOVE:
                    index[key] = set(posting)
            elif isinstance(posting, set):
                posting.add(identity_id)
            else:
                index[key] = [posting, identity_id]

    def update(self, identity_id: Hashable, identity: IdentityRecord | PreparedIdentity) -> None:
        """Replace an identity, e.g. when a protected person's details are corrected."""
        self.add(identity_id, identity)

    def remove(self, identity_id: Hashable) -> None:
        """Remove an identity (e.g. when its protection is closed). Unknown ids are ignored."""
        prepared = self._identities.pop(identity_id, None)
        if prepared is None:
            return
        index = self._index
        for key in blocking_keys(prepared):
            posting = index.get(key)
            if posting is None:
                continue
            if isinstance(posting, set):
                posting.discard(identity_id)
            elif isinstance(posting, list) and identity_id in posting:
                posting.remove(identity_id)
            if isinstance(posting, (list, set)):
                if len(posting) == 1:
                    index[key] = next(iter(posting))
                elif not posting:
                    del index[key]
            elif posting == identity_id:
                del index[key]

    def similar_tokens(self, tokens: Iterable[str]) -> dict[str, set[str]]:
        """The register's token keys one edit from each of ``tokens`` (``TokenNeighbours``)."""
        if self._near is None:
            self._near = TokenNeighbours(k[2:] for k in self._index if k.startswith("t:"))
        return self._near.similar(tokens)

    def key_counts(self, keys: Iterable[str]) -> dict[str, int]:
        index = self._index
        counts: dict[str, int] = {}
        for key in keys:
            posting = index.get(key)
            if posting is not None:
                counts[key] = len(posting) if isinstance(posting, (list, set)) else 1
        return counts

    def candidate_ids(self, keys: Iterable[str]) -> set[Hashable]:
        index = self._index
        ids: set[Hashable] = set()
        for key in keys:
            posting = index.get(key)
            if posting is None:
                continue
            if isinstance(posting, (list, set)):
                ids.update(posting)
            else:
                ids.add(posting)
        return ids

    def candidates(self, keys: Iterable[str]) -> list[tuple[Hashable, PreparedIdentity]]:
        identities = self._identities
        return [(i, identities[i]) for i in self.candidate_ids(keys)]


class TokenNeighbours:
    """Which of a register's token keys (``names.skeleton``) are one edit from a given one (a
    letter added, dropped or changed, or two swapped): ``Irofazser`` finds ``Irofaaser``,
    ``Trsn`` finds ``Tran``. Each key is filed under itself and under each form with one
    letter deleted (symmetric deletion), so a look-up costs the same whatever the register's
    size. Keys shorter than three letters are left out: too many others are one edit away.
    A key no identity carries any more may still be offered; it finds no one."""

    __slots__ = ("_near",)

    def __init__(self, tokens: Iterable[str] = ()) -> None:
        self._near: dict[str, set[str]] = {}
        for token in tokens:
            self.add(token)

    def add(self, token: str) -> None:
        if len(token) < _NEAR_FROM:
            return
        near = self._near
        for variant in _deletions(token):
            near.setdefault(variant, set()).add(token)

    def similar(self, tokens: Iterable[str]) -> dict[str, set[str]]:
        """For each of ``tokens`` that has any, the other keys one edit away."""
        near = self._near
        similar: dict[str, set[str]] = {}
        for token in tokens:
            if len(token) < _NEAR_FROM:
                continue
            found: set[str] = set()
            for variant in _deletions(token):
                found.update(near.get(variant, ()))
            found.discard(token)
            close = {
                other
                for other in found
                if DamerauLevenshtein.distance(token, other, score_cutoff=1) <= 1
            }
            if close:
                similar[token] = close
        return similar


#: Token keys shorter than this have too many neighbours one edit away to be worth it.
_NEAR_FROM = 3


def _deletions(token: str) -> set[str]:
    return {token, *(token[:i] + token[i + 1 :] for i in range(len(token)))}
