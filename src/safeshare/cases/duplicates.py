"""Possible duplicates of a person among the people in a force's cases (R24), found by the
matcher: the same victim added to two cases becomes two people until someone merges them.

Each of the person's identities is compared with every identity of the force's other people
that shares a blocking key with it (the register's blocking, so a transposed date or a
transliterated name still meets), and scored pairwise (``Matcher.score_pair``). A person is a
possible duplicate when the best pair is a match or a possible match.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from safeshare.cases.actions import people_in_force
from safeshare.matching.blocking import blocking_keys
from safeshare.matching.matcher import Matcher
from safeshare.matching.record import IdentityRecord, PreparedIdentity, prepare
from safeshare.people.models import Identity, Person

MAX_RESULTS = 20


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


def possible_duplicates(person: Person, force) -> list[PossibleDuplicate]:
    """The force's other people who may be ``person``, most likely first (at most 20)."""
    matcher = _matcher()
    subjects = [(p, blocking_keys(p)) for p in map(_prepared, person.identities.all())]
    if not subjects:
        return []
    others = (
        Identity.objects.filter(person__in=people_in_force(force).exclude(pk=person.pk))
        .select_related("person")
        .order_by("person_id", "id")
    )
    best: dict[int, PossibleDuplicate] = {}
    for identity in others:
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
