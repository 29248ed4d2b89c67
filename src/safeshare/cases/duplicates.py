"""Possible duplicates of a person among the people in a force's cases (R24), found by the
matcher: the same victim added to two cases becomes two people until someone merges them.

Each of the person's identities is compared with the identities of the force's other people
that share a blocking key with it (the register's blocking, so a transposed date or a
transliterated name still meets), and scored pairwise (``Matcher.score_pair``). A person is a
possible duplicate when the best pair is a match or a possible match.

At a force's scale (10^5 people) reading every identity for each call is too slow, so each
process keeps, per force, an index from blocking key to identity ids (``_ForceIndex``). A call
checks the highest identity and party ids: new identities of the force's people, and the
identities of people newly made parties to its cases, are added to the index. Identities are
never changed in place (a correction adds one, a merge moves them to the person kept), so the
index only grows. The worker's ``duplicates-index`` job saves each force's index under
``var/duplicates/`` (readable by this service only, rewritten every few minutes), and a process
without one reads that file and catches up, rather than building it (tens of seconds at 10^5).
Candidates are always read again from the database (their current person, still in one of the
force's cases, their keys), so a stale index can only miss, never show a wrong person. A key
without a date or a document (one name token, a token and a year, a pair of tokens) shared by
more than ``COMMON_TOKEN_LIMIT`` identities is too common to say anything and is skipped: a
duplicate still meets on its name pair and year, its date of birth or its documents.
"""

from __future__ import annotations

import functools
import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Q

from safeshare.accounts.models import Organisation
from safeshare.cases.actions import people_in_force
from safeshare.cases.models import Party
from safeshare.kernel.roles import OrganisationKind
from safeshare.matching.blocking import blocking_keys
from safeshare.matching.matcher import Matcher
from safeshare.matching.record import IdentityRecord, PreparedIdentity, prepare
from safeshare.people.models import Identity, Person

MAX_RESULTS = 20
COMMON_TOKEN_LIMIT = 500
_WEAK_KEYS = frozenset({"t:", "b:", "n:"})
"""Keys without a date or a document: one name token, a token and a birth year, a pair of
tokens. Past ``COMMON_TOKEN_LIMIT`` identities they are too common to say anything."""


@dataclass(frozen=True)
class PossibleDuplicate:
    person: Person
    probability: float
    decision: str
    evidence: tuple[str, ...]


@functools.cache
def _matcher() -> Matcher:
    return Matcher()


def _prepared(identity: Identity) -> PreparedIdentity:
    fields = identity.as_fields()
    return prepare(
        IdentityRecord(
            given_names=str(fields["given_names"] or ""),
            family_name=str(fields["family_name"] or ""),
            aliases=tuple(str(a) for a in fields["aliases"] or ()),  # type: ignore[attr-defined]
            date_of_birth=fields["date_of_birth"],  # type: ignore[arg-type]
            sex=fields["sex"],  # type: ignore[arg-type]
            nationality=fields["nationality"],  # type: ignore[arg-type]
            passport_number=fields["passport_number"],  # type: ignore[arg-type]
            home_office_reference=fields["home_office_reference"],  # type: ignore[arg-type]
        )
    )


@dataclass
class _ForceIndex:
    identity_max: int = 0
    party_max: int = 0
    postings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, identities) -> None:
        for identity in identities:
            for key in blocking_keys(_prepared(identity)):
                self.postings[key].append(identity.pk)


_indexes: dict[tuple[int, object], _ForceIndex] = {}
_lock = threading.Lock()
_saved: dict[int, tuple] = {}


def _force_identities(force):
    return Identity.objects.filter(person__in=people_in_force(force))


def _markers() -> tuple[int, int]:
    """The highest identity and party ids (primary-key lookups, cheap at any size)."""
    identity = Identity.objects.order_by("-id").values_list("id", flat=True).first() or 0
    party = Party.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return identity, party


def _in_force(force, person_ids: set[int]) -> set[int]:
    """Which of these people are parties to one of the force's cases (looked up by person, so
    the database never walks the whole force)."""
    return {
        person_id
        for person_id, force_id in Party.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "case__force_id"
        )
        if force_id == force.pk
    }


def _index_path(force) -> Path:
    return Path(settings.VAR_DIR) / "duplicates" / f"force-{force.pk}.json"


def _load(force) -> _ForceIndex | None:
    """The index the worker last saved for the force, if there is one and it is the force's."""
    try:
        saved = json.loads(_index_path(force).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if saved.get("force_created_at") != force.created_at.isoformat():
        return None
    index = _ForceIndex(int(saved["identity_max"]), int(saved["party_max"]))
    index.postings.update(saved["postings"])
    return index


def save_index(force) -> int:
    """Bring the force's index up to date and save it (atomically) for other processes, so
    their first call reads it rather than building it. Returns the keys saved."""
    index = _index_for(force)
    path = _index_path(force)
    saved = (force.pk, force.created_at, index.identity_max, index.party_max)
    if _saved.get(force.pk) == saved and path.is_file():
        return 0  # nothing new since this process last saved it
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    part = path.with_suffix(".part")
    with _lock:
        document = {
            "force_created_at": force.created_at.isoformat(),
            "identity_max": index.identity_max,
            "party_max": index.party_max,
            "postings": index.postings,
        }
        part.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
    part.replace(path)
    _saved[force.pk] = saved
    return len(index.postings)


def forget_indexes() -> None:
    """Drop every force's index, in this process and as saved, after retention erases
    identities (R23): the next call builds it again from the identities that are left."""
    with _lock:
        _indexes.clear()
        _saved.clear()
    folder = Path(settings.VAR_DIR) / "duplicates"
    if folder.is_dir():
        for path in folder.glob("force-*.json"):
            path.unlink(missing_ok=True)


def save_indexes() -> int:
    """The worker's ``duplicates-index`` job: save every active police force's index."""
    forces = Organisation.objects.filter(
        kind=OrganisationKind.POLICE_FORCE.value, deactivated_at__isnull=True, cases__isnull=False
    ).distinct()
    return sum(save_index(force) for force in forces)


def _index_for(force) -> _ForceIndex:
    """The force's key index, brought up to date (see the module's description)."""
    identity_max, party_max = _markers()
    with _lock:
        key = (force.pk, force.created_at)
        index = _indexes.get(key) or _load(force)
        if index is not None:
            _indexes[key] = index
            if identity_max > index.identity_max or party_max > index.party_max:
                # New identities of the force's people, and every identity of people newly
                # made parties to its cases (who may have joined from another force's case).
                joined = Party.objects.filter(id__gt=index.party_max).values_list(
                    "person_id", flat=True
                )
                added = list(
                    Identity.objects.filter(
                        Q(id__gt=index.identity_max) | Q(person_id__in=list(joined))
                    )
                )
                members = _in_force(force, {i.person_id for i in added})
                index.add(i for i in added if i.person_id in members)
                index.identity_max, index.party_max = identity_max, party_max
            return index
        index = _ForceIndex(identity_max, party_max)
        index.add(_force_identities(force).order_by("id").iterator(chunk_size=5000))
        _indexes[(force.pk, force.created_at)] = index
        return index


def _candidate_ids(index: _ForceIndex, keys: frozenset[str]) -> set[int]:
    found: set[int] = set()
    for key in keys:
        posting = index.postings.get(key, ())
        if key[:2] in _WEAK_KEYS and len(posting) > COMMON_TOKEN_LIMIT:
            continue
        found.update(posting)
    return found


def possible_duplicates(person: Person, force) -> list[PossibleDuplicate]:
    """The force's other people who may be ``person``, most likely first (at most 20)."""
    matcher = _matcher()
    subjects = [(p, blocking_keys(p)) for p in map(_prepared, person.identities.all())]
    if not subjects:
        return []
    index = _index_for(force)
    wanted: set[int] = set()
    for _, keys in subjects:
        wanted |= _candidate_ids(index, keys)
    # Read the candidates again: their current person, still in one of the force's cases.
    # Looked up by key only (an ORDER BY or a join on the force would let the database scan
    # the whole force instead), then sorted and checked here.
    others = sorted(
        (
            i
            for i in Identity.objects.filter(pk__in=wanted).select_related("person")
            if i.person_id != person.pk and i.person.merged_into_id is None
        ),
        key=lambda i: (i.person_id, i.pk),
    )
    in_force = _in_force(force, {i.person_id for i in others})
    best: dict[int, PossibleDuplicate] = {}
    for identity in others:
        if identity.person_id not in in_force:
            continue
        candidate = _prepared(identity)
        keys = blocking_keys(candidate)
        for subject, subject_keys in subjects:
            if not subject_keys & keys:
                continue
            score = matcher.score_pair(subject, candidate)
            if score.decision == "none":
                continue
            held = best.get(identity.person_id)
            if held is None or score.probability > held.probability:
                best[identity.person_id] = PossibleDuplicate(
                    person=identity.person,
                    probability=score.probability,
                    decision=score.decision,
                    evidence=tuple(
                        f"{f.field}: {f.level}" for f in score.fields if f.level != "missing"
                    ),
                )
    ranked = sorted(best.values(), key=lambda d: (-d.probability, d.person.pk))
    return ranked[:MAX_RESULTS]
