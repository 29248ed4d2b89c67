"""Retention (R23): delete what SafeShare no longer needs, after the periods the policy in
force sets (its ``[retention]`` table), and record each real run in the ledger with its counts.

``plan`` counts what would go (``safeshare retention run --dry-run``); ``run`` deletes it in one
transaction with one ``retention_run`` ledger entry. What is erased is never referred to by the
ledger (which holds keyed commitments to record ids), so the ledger and receipts still verify.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from safeshare.accounts import actions as account_actions
from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation
from safeshare.advice import actions as advice_actions
from safeshare.advice.models import AdvicePack, ContactPreference, ProtectionLetter
from safeshare.cases import duplicates
from safeshare.cases.lifecycle import ONGOING_STATES
from safeshare.cases.models import Party, PersonMerge
from safeshare.idempotency import actions as idempotency_actions
from safeshare.idempotency.models import IdempotentResponse
from safeshare.kernel import hooks
from safeshare.kernel.roles import Role
from safeshare.kernel.transactions import request_transaction
from safeshare.ledger.actions import log_entry
from safeshare.ledger.entries import EntryKind
from safeshare.notifications import actions as notice_actions
from safeshare.notifications.models import (
    AdvocateConsent,
    ContactSettings,
    Notification,
    SubjectAccessRequest,
)
from safeshare.people import actions as people_actions
from safeshare.people.models import Identity
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.active import active_policy
from safeshare.protocol.models import Protection
from safeshare.protocol.policy import RETENTION_RECORD_KINDS, Policy
from safeshare.referrals import actions as referral_actions
from safeshare.referrals.models import AuthorityReferral, Referral
from safeshare.register import actions as register_actions
from safeshare.register import sweeps
from safeshare.register.models import RegisterEntry, Sweep

CATEGORIES = RETENTION_RECORD_KINDS


def periods(policy: Policy | None = None) -> dict[str, int]:
    """Days kept, per kind of record, as the policy (by default the one in force) sets them.
    A policy file that is not valid raises ``PolicyError``, naming the file and the setting."""
    return (policy or active_policy()).retention.days()


@dataclass(frozen=True)
class Category:
    name: str
    days: int
    before: object
    count: int
    #: What else goes with the records counted, by kind (ended protections only).
    details: dict[str, int] = field(default_factory=dict)


def _expired_sweep_files(before) -> list[Path]:
    """The uploaded and results files of sweeps that finished before ``before``."""
    files = []
    finished = Sweep.objects.filter(
        status__in=[Sweep.Status.DONE, Sweep.Status.FAILED], finished_at__lt=before
    )
    for sweep in finished.iterator():
        for results in (False, True):
            if results and not sweep.result_name:
                continue
            path = sweeps.stored_path(sweep, results=results)
            if path.is_file():
                files.append(path)
    return files


@dataclass(frozen=True)
class EndedProtections:
    """The ended protections a run deletes, and the people whose personal data goes with them."""

    protections: list[int]
    people: list[int]

    def identities(self) -> list[int]:
        return list(
            Identity.objects.filter(person_id__in=self.people).values_list("pk", flat=True)
        )

    def details(self) -> dict[str, int]:
        """What else would go, by kind, without changing anything."""
        identities = self.identities()
        return {
            "register_entries": RegisterEntry.objects.filter(
                Q(protection_id__in=self.protections) | Q(identity_id__in=identities)
            ).count(),
            "people_erased": len(self.people),
            "identities": len(identities),
            "advice_packs": AdvicePack.objects.filter(protection_id__in=self.protections).count(),
            "protection_letters": ProtectionLetter.objects.filter(
                protection_id__in=self.protections
            ).count(),
            "contact_records": ContactSettings.objects.filter(person_id__in=self.people).count()
            + ContactPreference.objects.filter(person_id__in=self.people).count(),
            "referrals_released": Referral.objects.filter(
                Q(protection_id__in=self.protections) | Q(party__person_id__in=self.people)
            ).count()
            + AuthorityReferral.objects.filter(
                Q(protection_id__in=self.protections) | Q(person_id__in=self.people)
            ).count(),
        }


def _ended_protections(before) -> EndedProtections:
    """Ended protections past their period that nothing live still needs (R23, docs/adr/0042).

    A protection stays while a clearance that still holds IE's subject was decided or reviewed
    on it (``protocol``), while a merge of its person waits for approval, while a notice to its
    person is still to be sent or a subject access request of theirs answered, or while a
    support organisation's consent to see it is active.
    Its person's identity, contact details and referral payloads go with it only when the
    person has no other protection, no role in an ongoing case and no open authority referral.
    """
    rows = list(
        protocol_actions.expired_ended_protections(before)
        .distinct()
        .values_list("pk", "person_id", "reference")
    )
    if not rows:
        return EndedProtections([], [])
    people = {person for _, person, _ in rows}
    held = set(
        Notification.objects.filter(person_id__in=people)
        .exclude(status__in=notice_actions.FINISHED_NOTICE_STATUSES)
        .values_list("person_id", flat=True)
    )
    held |= set(  # a subject access request still to be answered (the person's right first)
        SubjectAccessRequest.objects.filter(person_id__in=people, answer__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    for keep, merge in PersonMerge.objects.filter(
        Q(keep_id__in=people) | Q(merge_id__in=people), status=PersonMerge.Status.PENDING
    ).values_list("keep_id", "merge_id"):
        held |= {keep, merge}
    today = timezone.localdate()
    consented = set(
        AdvocateConsent.objects.filter(person_id__in=people, withdrawn_at__isnull=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .values_list("person_id", "protection_reference")
    )
    protections = sorted(
        pk
        for pk, person, reference in rows
        if person not in held and (person, reference) not in consented
    )
    going = {person for pk, person, _ in rows if pk in set(protections)}
    needed = set(
        Protection.objects.filter(person_id__in=going)
        .exclude(pk__in=protections)
        .values_list("person_id", flat=True)
    )
    needed |= set(
        Party.objects.filter(
            person_id__in=going, case__state__in=[state.value for state in ONGOING_STATES]
        ).values_list("person_id", flat=True)
    )
    needed |= set(
        AuthorityReferral.objects.filter(
            person_id__in=going, withdrawn_at__isnull=True
        ).values_list("person_id", flat=True)
    )
    return EndedProtections(protections, sorted(going - needed))


def _delete_ended_protections(before) -> int:
    """Delete them, each owner deleting its own records, the pointers to a protection first."""
    ended = _ended_protections(before)
    if not ended.protections:
        return 0
    identities = ended.identities()
    register_actions.do_remove_for_retention(ended.protections, identities)
    advice_actions.do_delete_for_retention(ended.protections, ended.people)
    referral_actions.do_release_for_retention(ended.protections, ended.people)
    notice_actions.do_erase_contacts_for_retention(ended.people)
    deleted = protocol_actions.do_delete_protections(ended.protections)
    people_actions.do_erase_identities(ended.people)
    if identities:
        hooks.on_commit(duplicates.forget_indexes)
    return deleted


def _count(name: str, before, policy: Policy) -> int:
    if name == "cleared_clearance_subjects":
        return protocol_actions.expired_cleared_subjects(before, policy).count()
    if name == "idempotency_records":
        return IdempotentResponse.objects.filter(created_at__lt=before).count()
    if name == "notifications":
        return notice_actions.expired_notices(before).count()
    if name == "sweep_files":
        return len(_expired_sweep_files(before))
    if name == "webhook_deliveries":
        return account_actions.expired_webhook_deliveries(before).count()
    if name == "ended_protections":
        return len(_ended_protections(before).protections)
    raise ValueError(f"no retention rule for {name}")


def _delete(name: str, before, policy: Policy) -> int:
    if name == "cleared_clearance_subjects":
        return protocol_actions.do_erase_cleared_subjects(before, policy)
    if name == "idempotency_records":
        return idempotency_actions.do_delete_responses_before(before)
    if name == "notifications":
        return notice_actions.do_erase_notices_before(before)
    if name == "sweep_files":
        files = _expired_sweep_files(before)

        def _unlink() -> None:  # only once the run's ledger entry has committed
            for path in files:
                path.unlink(missing_ok=True)

        hooks.on_commit(_unlink)
        return len(files)
    if name == "webhook_deliveries":
        return account_actions.do_delete_webhook_deliveries_before(before)
    if name == "ended_protections":
        return _delete_ended_protections(before)
    raise ValueError(f"no retention rule for {name}")


def plan(now=None, policy: Policy | None = None) -> list[Category]:
    """What a run now would delete, by category, under the policy's periods."""
    now = now or timezone.now()
    policy = policy or active_policy()
    days = periods(policy)
    found = []
    for name in CATEGORIES:
        before = now - timedelta(days=days[name])
        if name == "ended_protections":
            ended = _ended_protections(before)
            found.append(
                Category(name, days[name], before, len(ended.protections), ended.details())
            )
            continue
        found.append(Category(name, days[name], before, _count(name, before, policy)))
    return found


def _operator() -> Actor | None:
    organisation = None
    if settings.SAFESHARE_OPERATOR_ORG:
        organisation = Organisation.objects.filter(code=settings.SAFESHARE_OPERATOR_ORG).first()
    organisation = organisation or Organisation.objects.order_by("pk").first()
    return Actor(organisation=organisation, role=Role.ADMINISTRATOR) if organisation else None


def run(now=None, policy: Policy | None = None) -> dict[str, int]:
    """Delete what has expired; one ledger entry per run that deleted anything, naming the
    policy (id and version) whose periods it applied."""
    now = now or timezone.now()
    policy = policy or active_policy()
    categories = plan(now, policy)
    if not any(c.count for c in categories):
        return {c.name: 0 for c in categories}
    actor = _operator()
    done: dict[str, int] = {}
    with request_transaction():  # the deletions and their ledger entry, together
        for category in categories:
            done[category.name] = _delete(category.name, category.before, policy)
        if actor is not None:
            log_entry(
                EntryKind.RETENTION_RUN,
                actor,
                policy,
                payload={
                    "count": sum(done.values()),
                    "fields": [name for name, count in done.items() if count],
                    "effective_date": timezone.localdate(now).isoformat(),
                },
            )
    return done


def retention_job() -> int:
    """The worker's daily job."""
    return sum(run().values())
