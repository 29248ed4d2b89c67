"""The matching service: the register in the database, and the one function clearances call.

The pure core (``record``, ``blocking``, ``matcher``) decides; this module only fetches
candidates from the ``RegisterEntry``/``RegisterKey`` tables (``storage.DatabaseRegister``) and
translates the result into the protocol's ``MatchOutcome``. Replacing the matcher never touches
the callers.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from safeshare.matching.matcher import CandidateScore, Matcher, MatchResult
from safeshare.matching.record import IdentityRecord, PreparedIdentity, prepare
from safeshare.protocol.clearance import (
    EvidenceField,
    FieldAgreement,
    MatchCandidate,
    MatchDecision,
    MatchOutcome,
    evidence_floor,
)
from safeshare.register.models import RegisterEntry, RegisterRemoval
from safeshare.register.storage import (
    DatabaseRegister,
    PrefetchedRegister,
    add_postings,
    bump_version,
    remove_postings,
    service_model,
)

log = logging.getLogger(__name__)

__all__ = [
    "DatabaseRegister",
    "entry_text",
    "evidence_of",
    "index_identity",
    "match_prepared",
    "match_subject",
    "matcher",
    "outcome_from_result",
    "protections_by_entry",
    "record_from_fields",
    "remove_entries",
]


@functools.cache
def matcher() -> Matcher:
    """The matcher with the service's model (``storage.service_model``), once per process."""
    return Matcher(service_model())


def record_from_fields(fields: Mapping[str, object]) -> IdentityRecord:
    """An ``IdentityRecord`` from the service's canonical identity fields."""

    def text(name: str) -> str | None:
        value = fields.get(name)
        return str(value) if value not in (None, "") else None

    # A list of names; a lone string is one alias, never a sequence of one-letter aliases.
    aliases = fields.get("aliases") or ()
    return IdentityRecord(
        given_names=text("given_names") or "",
        family_name=text("family_name") or "",
        aliases=tuple(map(str, aliases)) if isinstance(aliases, list | tuple) else (str(aliases),),
        date_of_birth=text("date_of_birth"),
        sex=text("sex"),
        nationality=text("nationality"),
        passport_number=text("passport_number"),
        home_office_reference=text("home_office_reference"),
        address=text("address"),
        postcode=text("postcode"),
    )


def entry_text(identity, address: str = "", postcode: str = "") -> str:
    """The prepared identity (``PreparedIdentity.to_json()``) of an identity, with the address
    and postcode its register entry keeps (the identity has none)."""
    fields = {**identity.as_fields(), "address": address or None, "postcode": postcode or None}
    return prepare(record_from_fields(fields)).to_json()


def index_identity(identity, protection) -> RegisterEntry:
    """Add (or refresh) one identity in the register, under its protection. Call in a
    transaction.

    An unchanged identity keeps its entry (only the protection is updated); a changed one gets
    a new entry, so that prepared identities cached by entry id never go stale. The new entry
    keeps what the old one was imported with (source, import id, address and postcode).
    """
    entry = RegisterEntry.objects.select_for_update().filter(identity=identity).first()
    address, postcode = (entry.address, entry.postcode) if entry is not None else ("", "")
    text = entry_text(identity, address, postcode)
    if entry is not None and entry.prepared == text:
        if entry.protection_id != protection.pk:
            entry.protection = protection
            entry.save(update_fields=["protection"])
        return entry
    version = bump_version()
    kept = {"source": "police"}
    if entry is not None:
        kept = {
            "source": entry.source,
            "external_id": entry.external_id,
            "address": entry.address,
            "postcode": entry.postcode,
        }
        remove_entries([entry])
    entry = RegisterEntry.objects.create(
        identity=identity, protection=protection, prepared=text, version=version, **kept
    )
    add_postings(dict.fromkeys(PreparedIdentity.from_json(text).keys, (entry.pk,)), 1)
    return entry


def remove_entries(entries: Iterable[RegisterEntry]) -> int:
    """Take entries out of the register (their keys first). Call in a transaction."""
    postings: dict[str, list[int]] = {}
    ids = []
    for entry in entries:
        ids.append(entry.pk)
        for key in PreparedIdentity.from_json(entry.prepared).keys:
            postings.setdefault(key, []).append(entry.pk)
    if not ids:
        return 0
    version = bump_version()
    RegisterRemoval.objects.bulk_create(
        [RegisterRemoval(entry_id=entry_id, version=version) for entry_id in ids]
    )
    remove_postings(postings, -len(ids))
    RegisterEntry.objects.filter(pk__in=ids).delete()
    return len(ids)


# How each matcher comparison level reads as evidence for the clearance core's safety net.
_NAME_EVIDENCE = {
    "exact": FieldAgreement.EXACT,
    "all_phonetic": FieldAgreement.EQUIVALENT,
    "all_fuzzy": FieldAgreement.EQUIVALENT,
    "two_plus": FieldAgreement.PARTIAL,
    "one_near": FieldAgreement.PARTIAL,
    "one": FieldAgreement.PARTIAL,
    "one_two_differ": FieldAgreement.PARTIAL,
    "one_fuzzy": FieldAgreement.PARTIAL,
    "none": FieldAgreement.CONFLICT,
}
_DOB_EVIDENCE = {
    "exact": FieldAgreement.EXACT,
    # Two full dates that differ in both day and month (and not by one slip of a digit) are
    # different dates of birth, whatever the year: the hard negative of a common name.
    "same_year": FieldAgreement.CONFLICT,
    "year_near": FieldAgreement.CONFLICT,
    "diff": FieldAgreement.CONFLICT,
    "partial_diff": FieldAgreement.CONFLICT,
}
_BINARY_EVIDENCE = {"agree": FieldAgreement.EXACT, "disagree": FieldAgreement.CONFLICT}
_DOCUMENT_EVIDENCE = {
    "exact": FieldAgreement.EXACT,
    "one_edit": FieldAgreement.PARTIAL,
    "diff": FieldAgreement.CONFLICT,
}
_FIELDS = {
    "name": (EvidenceField.NAME, _NAME_EVIDENCE),
    "dob": (EvidenceField.DATE_OF_BIRTH, _DOB_EVIDENCE),
    "sex": (EvidenceField.SEX, _BINARY_EVIDENCE),
    "nationality": (EvidenceField.NATIONALITY, _BINARY_EVIDENCE),
    "passport": (EvidenceField.PASSPORT_NUMBER, _DOCUMENT_EVIDENCE),
    "home_office_reference": (EvidenceField.HOME_OFFICE_REFERENCE, _DOCUMENT_EVIDENCE),
}


def evidence_of(candidate: CandidateScore) -> dict[EvidenceField, FieldAgreement]:
    """Per-field agreement, so the clearance core can hold strong agreement whatever the score.

    A date one digit out, with the same day and month in a nearby year, or compared with a
    year-only or 1 January placeholder (an age dispute) is partial agreement. Two full dates
    with a different day and month conflict, as do dates years apart.
    """
    evidence: dict[EvidenceField, FieldAgreement] = {}
    for comparison in candidate.fields:
        known = _FIELDS.get(comparison.field)
        if known is None:
            continue
        field, levels = known
        if comparison.level == "missing":
            evidence[field] = FieldAgreement.ABSENT
        else:
            evidence[field] = levels.get(comparison.level, FieldAgreement.PARTIAL)
    return evidence


def outcome_from_result(
    subject_ref: str, result: MatchResult, protections_by_entry: Mapping[int, list[str]]
) -> MatchOutcome:
    """Translate the matcher's result into the protocol's ``MatchOutcome``.

    Every candidate the matcher explains is passed on with its evidence, including those it
    scored ``none``: the clearance core raises strong agreement to at least a hold.
    """
    translated = (
        MatchCandidate(
            identity_id=str(candidate.register_id),
            protection_ids=tuple(
                # The register's candidates are its entries, so their ids are entry ids (int).
                protections_by_entry.get(int(cast(int, candidate.register_id)), [])
            ),
            score=candidate.weight,
            decision=MatchDecision(candidate.decision),
            explanation=(candidate.explain(),),
            evidence=evidence_of(candidate),
            probability=candidate.probability,
        )
        for candidate in result.candidates
    )
    candidates = tuple(
        candidate
        for candidate in translated
        if candidate.decision != MatchDecision.NONE or evidence_floor(candidate)
    )
    return MatchOutcome(
        subject_ref=subject_ref,
        decision=MatchDecision(result.decision),
        candidates=candidates,
        subject_name_only=False,
        matcher_version=result.model_version,
        probability=result.probability,
        would_resolve=result.would_resolve,
    )


def protections_by_entry(entry_ids: Iterable[int]) -> dict[int, list[str]]:
    """For each entry, its own protection and every protection of its identity's person."""
    rows = list(
        RegisterEntry.objects.filter(id__in=list(entry_ids)).values_list(
            "id", "protection_id", "identity__person_id"
        )
    )
    people = {person_id for _, _, person_id in rows if person_id}
    by_person: dict[int, set[str]] = {}
    if people:
        from safeshare.protocol.models import Protection

        for person_id, pk in Protection.objects.filter(person_id__in=people).values_list(
            "person_id", "pk"
        ):
            by_person.setdefault(person_id, set()).add(str(pk))
    found: dict[int, list[str]] = {}
    for entry_id, protection_id, person_id in rows:
        protections = {str(protection_id)} if protection_id else set()
        protections |= by_person.get(person_id, set())
        found[entry_id] = sorted(protections)
    return found


def index_mode() -> str:
    """Where matches find the register (``SAFESHARE_MATCHING_INDEX``): ``database`` (each
    match reads the key tables), ``process`` (this process holds the register in memory) or
    ``server`` (the matching server holds it; ``safeshare register serve``)."""
    mode = settings.SAFESHARE_MATCHING_INDEX
    if mode not in ("database", "process", "server"):
        raise ImproperlyConfigured(
            f"SAFESHARE_MATCHING_INDEX must be database, process or server, not {mode!r}"
        )
    return mode


def match_prepared(subjects: Sequence[PreparedIdentity]) -> list[MatchResult]:
    """Match prepared subjects against the whole register, wherever it is held (see
    ``index_mode``). All ways give the same decisions; a server that cannot be reached is
    replaced by the database, with a warning in the log."""
    if not subjects:
        return []
    engine = matcher()
    mode = index_mode()
    if mode == "server":
        from safeshare.register import server

        try:
            return list(server.ask(("match", [s.to_json() for s in subjects])))
        except server.ServerUnavailable as error:
            log.warning("matching server unavailable (%s): matching through the database", error)
    elif mode == "process":
        from safeshare.register import resident

        register = resident.shared()
        with register.lock:
            register.sync()
            return engine.match_many(subjects, register)
    if len(subjects) == 1:
        return [engine.match(subjects[0], DatabaseRegister(engine.thresholds))]
    return engine.match_many(subjects, PrefetchedRegister(subjects, engine.thresholds))


def match_subject(
    subject_ref: str, fields: Mapping[str, object]
) -> tuple[MatchOutcome, MatchResult]:
    """Match IE's subject against the whole register."""
    result = match_prepared([prepare(record_from_fields(fields))])[0]
    # Only the candidates the outcome keeps need their protections: most are scored ``none``
    # and dropped, so they are not looked up.
    outcome = outcome_from_result(subject_ref, result, {})
    entry_ids = [int(c.identity_id) for c in outcome.candidates]
    if not entry_ids:
        return outcome, result
    found = protections_by_entry(entry_ids)
    candidates = tuple(
        replace(c, protection_ids=tuple(found.get(int(c.identity_id), ())))
        for c in outcome.candidates
    )
    return replace(outcome, candidates=candidates), result
