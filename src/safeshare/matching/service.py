"""The matching service: the register in the database, and the one function clearances call.

The pure core (``record``, ``blocking``, ``matcher``) decides; this module only fetches
candidates from the ``RegisterEntry``/``RegisterKey`` tables and translates the result into the
protocol's ``MatchOutcome``. Replacing the matcher never touches the callers.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Mapping

from django.db.models import Count

from safeshare.matching.matcher import Matcher, MatchResult
from safeshare.matching.models import RegisterEntry, RegisterKey
from safeshare.matching.record import IdentityRecord, PreparedIdentity, prepare
from safeshare.protocol.clearance import MatchCandidate, MatchDecision, MatchOutcome

QUERY_CHUNK = 500


@functools.cache
def matcher() -> Matcher:
    """The matcher with the shipped model (loaded once per process)."""
    return Matcher()


def record_from_fields(fields: Mapping[str, object]) -> IdentityRecord:
    """An ``IdentityRecord`` from the service's canonical identity fields."""

    def text(name: str) -> str | None:
        value = fields.get(name)
        return str(value) if value not in (None, "") else None

    return IdentityRecord(
        given_names=text("given_names") or "",
        family_name=text("family_name") or "",
        aliases=tuple(str(a) for a in fields.get("aliases") or ()),
        date_of_birth=text("date_of_birth"),
        sex=text("sex"),
        nationality=text("nationality"),
        passport_number=text("passport_number"),
        home_office_reference=text("home_office_reference"),
        address=text("address"),
        postcode=text("postcode"),
    )


class DatabaseRegister:
    """The protected-identity register as a ``CandidateSource`` over the database."""

    def __len__(self) -> int:
        return RegisterEntry.objects.count()

    def key_counts(self, keys: Iterable[str]) -> Mapping[str, int]:
        keys = list(keys)
        counts: dict[str, int] = {}
        for start in range(0, len(keys), QUERY_CHUNK):
            rows = (
                RegisterKey.objects.filter(key__in=keys[start : start + QUERY_CHUNK])
                .values("key")
                .annotate(n=Count("id"))
            )
            counts.update({row["key"]: row["n"] for row in rows})
        return counts

    def candidates(self, keys: Iterable[str]) -> Iterable[tuple[Hashable, PreparedIdentity]]:
        keys = list(keys)
        entry_ids: set[int] = set()
        for start in range(0, len(keys), QUERY_CHUNK):
            entry_ids.update(
                RegisterKey.objects.filter(key__in=keys[start : start + QUERY_CHUNK]).values_list(
                    "entry_id", flat=True
                )
            )
        ids = sorted(entry_ids)
        for start in range(0, len(ids), QUERY_CHUNK):
            for entry_id, prepared in RegisterEntry.objects.filter(
                id__in=ids[start : start + QUERY_CHUNK]
            ).values_list("id", "prepared"):
                yield entry_id, PreparedIdentity.from_json(prepared)


def index_identity(identity, protection) -> RegisterEntry:
    """Add (or refresh) one identity in the register, under its protection. Call in a
    transaction."""
    prepared = prepare(record_from_fields(identity.as_fields()))
    entry, _ = RegisterEntry.objects.update_or_create(
        identity=identity,
        defaults={"protection": protection, "prepared": prepared.to_json(), "source": "police"},
    )
    RegisterKey.objects.filter(entry=entry).delete()
    RegisterKey.objects.bulk_create([RegisterKey(key=key, entry=entry) for key in prepared.keys])
    return entry


def outcome_from_result(
    subject_ref: str, result: MatchResult, protections_by_entry: Mapping[int, list[str]]
) -> MatchOutcome:
    """Translate the matcher's result into the protocol's ``MatchOutcome``."""
    candidates = tuple(
        MatchCandidate(
            identity_id=str(candidate.register_id),
            protection_ids=tuple(protections_by_entry.get(int(candidate.register_id), [])),
            score=candidate.weight,
            decision=MatchDecision(candidate.decision),
            explanation=(candidate.explain(),),
        )
        for candidate in result.candidates
        if candidate.decision != "none"
    )
    return MatchOutcome(
        subject_ref=subject_ref,
        decision=MatchDecision(result.decision),
        candidates=candidates,
        subject_name_only=False,
        matcher_version=result.model_version,
    )


def match_subject(
    subject_ref: str, fields: Mapping[str, object]
) -> tuple[MatchOutcome, MatchResult]:
    """Match IE's subject against the whole register."""
    result = matcher().match(prepare(record_from_fields(fields)), DatabaseRegister())
    entry_ids = [int(c.register_id) for c in result.candidates]
    protections_by_entry: dict[int, list[str]] = {}
    for entry_id, protection_id, person_id in RegisterEntry.objects.filter(
        id__in=entry_ids
    ).values_list("id", "protection_id", "identity__person_id"):
        found = {str(protection_id)} if protection_id else set()
        if person_id:
            from safeshare.protocol.models import Protection

            found |= {
                str(pk)
                for pk in Protection.objects.filter(person_id=person_id).values_list(
                    "pk", flat=True
                )
            }
        protections_by_entry[entry_id] = sorted(found)
    return outcome_from_result(subject_ref, result, protections_by_entry), result
