"""Policies: which version of the protocol (or the firewall) applies, loaded from TOML.

A policy is data, not code. Each file in ``policies/`` is one policy; its id is the file name and
its version is the SHA-256 of the file's bytes, so every decision can record exactly which rules
made it (invariant 7) and be replayed. Any setting a file leaves out takes the *more protective*
default, but the shipped files state every setting so that their hash alone fixes behaviour.

See ``docs/policy.md`` for each setting, its requirement number and why its default was chosen.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from safeshare.cases.lifecycle import OffenceCategory, PartyRole, RegularisationStatus
from safeshare.kernel.identity import IDENTITY_FIELDS

__all__ = [
    "IDENTITY_FIELDS",
    "NECESSITY_ONLY_FIELDS",
    "PROTECTED_ROLES",
    "REFERRAL_DETAIL_FIELDS",
    "REQUIRED_REFERRAL_FIELDS",
    "RETENTION_RECORD_KINDS",
    "ClearanceRules",
    "ConditionsMode",
    "ExceptionCategory",
    "ForceProfile",
    "IEDetail",
    "Jurisdiction",
    "JurisdictionProfile",
    "OverrideRules",
    "Policy",
    "PolicyError",
    "ProtectionRules",
    "ProtectionTriggerMode",
    "ReferralRules",
    "RetentionRules",
    "available_policies",
    "load_policy",
    "load_policy_file",
    "load_policy_version",
    "shipped_versions",
]

REFERRAL_DETAIL_FIELDS: tuple[str, ...] = (
    "role",
    "protection_flag",
    "force_code",
    "crime_reference",
    "offence_category",
    "channel",
    "source_of_information",
    "lawful_basis",
    "gateway",
    "agreement_id",
    "dpia_version",
)
NECESSITY_ONLY_FIELDS: tuple[str, ...] = (
    "crime_narrative",
    "current_address",
    "third_party_details",
)
REQUIRED_REFERRAL_FIELDS: tuple[str, ...] = (
    "role",
    "protection_flag",
    "force_code",
    "lawful_basis",
    "gateway",
    "agreement_id",
    "dpia_version",
)
PROTECTED_ROLES: frozenset[PartyRole] = frozenset(
    {PartyRole.VICTIM, PartyRole.WITNESS, PartyRole.DEPENDANT}
)

_POLICY_PACKAGE = "safeshare.protocol"
_POLICY_DIRECTORY = "policies"
_ARCHIVE_DIRECTORY = "archive"
_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_FORCE_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,15}$")


class PolicyError(ValueError):
    """A policy file that is missing, malformed or breaks a rule the protocol does not let go."""

    def __init__(self, file: str, key: str, message: str) -> None:
        super().__init__(f"Policy file {file}: {key}: {message}")
        self.file = file
        self.key = key
        self.message = message


class ConditionsMode(StrEnum):
    """How the proceedings and regularisation conditions combine (R11)."""

    AND = "AND"
    OR = "OR"


class ProtectionTriggerMode(StrEnum):
    """What first opens a protection: a referral (the protocol) or registration (firewall)."""

    REFERRAL = "referral"
    REGISTRATION = "registration"


class IEDetail(StrEnum):
    """What Immigration Enforcement learns from an answer that is not a clear.

    ``protection``: a block names the protection reference and the contact point of the force
    that holds it (the protocol). ``custodian``: every answer that is not a clear is the same
    answer, "do not act; contact the protocol custodian", with one national contact point, no
    reference and no force, for a protected person and a possible match alike (firewall).
    """

    PROTECTION = "protection"
    CUSTODIAN = "custodian"


DEFAULT_CUSTODIAN_CONTACT = "the SafeShare protocol custodian (national contact point)"


class Jurisdiction(StrEnum):
    """The three UK criminal justice jurisdictions (R33)."""

    ENGLAND_WALES = "england_wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"


class ExceptionCategory(StrEnum):
    """Named exceptions under which a block may be overridden (R13)."""

    SUSPECT_IN_PUBLIC_PROTECTION_OFFENCE = "suspect_in_public_protection_offence"
    FOREIGN_NATIONAL_OFFENDER = "foreign_national_offender"
    NATIONAL_SECURITY_OR_PUBLIC_PROTECTION = "national_security_or_public_protection"

    @property
    def label(self) -> str:
        return _EXCEPTION_LABELS[self]


_EXCEPTION_LABELS = {
    ExceptionCategory.SUSPECT_IN_PUBLIC_PROTECTION_OFFENCE: (
        "Suspect or defendant in a non-immigration offence linked to public protection"
    ),
    ExceptionCategory.FOREIGN_NATIONAL_OFFENDER: "Foreign national offender liable to deportation",
    ExceptionCategory.NATIONAL_SECURITY_OR_PUBLIC_PROTECTION: (
        "National security or serious public-protection risk"
    ),
}


@dataclass(frozen=True)
class ReferralRules:
    """What may be sent to Immigration Enforcement, and about whom (R16, R17, R22, N1)."""

    allowed_roles: frozenset[PartyRole]
    fields: tuple[str, ...]
    necessity_fields: tuple[str, ...]
    status_doubt_only_refused_offences: frozenset[OffenceCategory]
    status_doubt_only_refused_roles: frozenset[PartyRole]
    #: Nothing about a victim, witness or dependant goes to IE without their recorded, informed
    #: consent for that purpose (consent-2025). Only the fields they agreed to share travel.
    consent_required: bool = True


@dataclass(frozen=True)
class ProtectionRules:
    """When a protection opens, what holds it open and how it may end (R1–R3, R5, R10–R14)."""

    trigger: ProtectionTriggerMode
    non_police_referrals_open_protection: bool
    covered_roles: frozenset[PartyRole]
    covered_offences: frozenset[OffenceCategory] | None
    conditions_mode: ConditionsMode
    regularisation_statuses_that_hold: frozenset[RegularisationStatus]
    awaiting_advice_meets_regularisation_condition: bool
    disengagement_ends_protection: bool
    minimum_transition_days: int
    close_roles: frozenset[str]

    def covers(self, role: PartyRole, offence: OffenceCategory) -> bool:
        """Whether a person in this role, in a case about this offence, is covered."""
        return role in self.covered_roles and (
            self.covered_offences is None or offence in self.covered_offences
        )


@dataclass(frozen=True)
class ClearanceRules:
    """Settings for clearance decisions (R4, R19).

    ``block_probability``: a candidate whom the matcher gives at least this probability of
    being the subject blocks the action. ``hold_probability``: a subject whom the matcher gives
    at least this probability of being any protected person is held for a protocol officer.
    The reasoning for each number is in docs/adr/0008-decision-by-probability.md.
    """

    anonymous_corroborates_perpetrator: bool
    block_probability: float = 0.99
    hold_probability: float = 0.2
    # How long a ``clear`` stands for the action asked about; after it a new clearance is needed.
    clear_valid_hours: int = 72
    #: What IE learns from an answer that is not a clear (``IEDetail``).
    ie_detail: IEDetail = IEDetail.CUSTODIAN
    #: The one national contact point named under ``custodian``.
    custodian_contact: str = DEFAULT_CUSTODIAN_CONTACT
    #: Probing alerts, per IE user: clearances about a subject given by name alone in a day,
    #: and answers other than a clear in seven days with no outcome reported.
    probing_name_only_per_day: int = 10
    probing_unreported_per_week: int = 25
    #: Sweeps of an IE unit's caseload: at most this many rows in one sweep, at most this many
    #: sweeps a unit in a day, and oversight is alerted by a sweep of this many rows or more.
    sweep_max_rows: int = 250_000
    sweeps_per_unit_per_day: int = 5
    sweep_alert_rows: int = 50_000


@dataclass(frozen=True)
class OverrideRules:
    """Who may override a block, and on what grounds (R7, R13)."""

    exception_categories: tuple[ExceptionCategory, ...]
    approver_roles: frozenset[str]
    minimum_reason_length: int


@dataclass(frozen=True)
class RetentionRules:
    """How long SafeShare keeps each kind of record it no longer needs (R23), in whole days.

    ``safeshare retention run`` deletes what is older. A file that leaves a period out gets the
    shorter, more protective default; a period is never below one day.
    """

    #: IE's identity data about the subject of a clearance that cleared, once the clear can no
    #: longer be acted on (its validity has passed and no action is scheduled).
    cleared_clearance_subjects: int = 30
    #: Stored answers to idempotent API requests: a retry later than this is a new request.
    idempotency_records: int = 7
    #: Notices to victims, once sent, delivered or failed: the recipient's address or number
    #: and the words are erased; that a notice went, and when, stays.
    notifications: int = 30
    #: IE's uploaded caseload files and their results files, once the sweep has finished.
    sweep_files: int = 30
    #: Outbound webhook deliveries (and their bodies) once delivered or failed for good.
    webhook_deliveries: int = 30
    #: Protections a person closed, counted from the closing, and the personal data only they
    #: kept (docs/adr/0042). Kept while a clearance, consent or notice still needs them.
    ended_protections: int = 365

    def days(self) -> dict[str, int]:
        """Every period, by record kind."""
        return {name: getattr(self, name) for name in RETENTION_RECORD_KINDS}


RETENTION_RECORD_KINDS: tuple[str, ...] = (
    "cleared_clearance_subjects",
    "idempotency_records",
    "notifications",
    "sweep_files",
    "webhook_deliveries",
    "ended_protections",
)
"""The kinds of record whose retention a policy sets, in the order runs report them."""


@dataclass(frozen=True)
class JurisdictionProfile:
    """Rules that differ between England and Wales, Scotland and Northern Ireland (R27, R33)."""

    jurisdiction: Jurisdiction
    duty_to_notify: bool
    duty_to_notify_law: str
    modern_slavery_defence_law: str
    victims_rights_instrument: str
    safe_reporting_only: bool


@dataclass(frozen=True)
class ForceProfile:
    """A force's local rules. They can only make referrals more restrictive, never less (R33)."""

    force_code: str
    safe_reporting_only: bool = False
    status_doubt_only_refused_offences: frozenset[OffenceCategory] = frozenset()


@dataclass(frozen=True)
class Policy:
    """One policy, validated. ``version`` is the SHA-256 hex of the policy file's bytes."""

    id: str
    title: str
    summary: str
    sources: tuple[str, ...]
    version: str
    referrals: ReferralRules
    protection: ProtectionRules
    clearance: ClearanceRules
    overrides: OverrideRules
    jurisdictions: Mapping[Jurisdiction, JurisdictionProfile] = field(repr=False)
    forces: Mapping[str, ForceProfile] = field(repr=False)
    retention: RetentionRules = field(default_factory=RetentionRules)

    def __hash__(self) -> int:
        return hash((self.id, self.version))

    @property
    def referrals_possible(self) -> bool:
        """Whether this policy lets any victim, witness or dependant be referred to IE at all."""
        return bool(self.referrals.allowed_roles & PROTECTED_ROLES)

    def jurisdiction(self, jurisdiction: Jurisdiction | str) -> JurisdictionProfile:
        """The profile for a jurisdiction."""
        return self.jurisdictions[Jurisdiction(jurisdiction)]

    def force(self, force_code: str) -> ForceProfile:
        """A force's local rules, or a profile with no local tightening."""
        return self.forces.get(force_code) or ForceProfile(force_code=force_code)

    def as_dict(self) -> dict[str, Any]:
        """Every resolved setting, for audit and display (JSON-serialisable)."""
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "referrals": {
                "allowed_roles": sorted(self.referrals.allowed_roles),
                "fields": list(self.referrals.fields),
                "necessity_fields": list(self.referrals.necessity_fields),
                "status_doubt_only_refused_offences": sorted(
                    self.referrals.status_doubt_only_refused_offences
                ),
                "status_doubt_only_refused_roles": sorted(
                    self.referrals.status_doubt_only_refused_roles
                ),
                "consent_required": self.referrals.consent_required,
            },
            "protection": {
                "trigger": str(self.protection.trigger),
                "non_police_referrals_open_protection": (
                    self.protection.non_police_referrals_open_protection
                ),
                "covered_roles": sorted(self.protection.covered_roles),
                "covered_offences": (
                    "all"
                    if self.protection.covered_offences is None
                    else sorted(self.protection.covered_offences)
                ),
                "conditions_mode": str(self.protection.conditions_mode),
                "regularisation_statuses_that_hold": sorted(
                    self.protection.regularisation_statuses_that_hold
                ),
                "awaiting_advice_meets_regularisation_condition": (
                    self.protection.awaiting_advice_meets_regularisation_condition
                ),
                "disengagement_ends_protection": self.protection.disengagement_ends_protection,
                "minimum_transition_days": self.protection.minimum_transition_days,
                "close_roles": sorted(self.protection.close_roles),
            },
            "clearance": {
                "anonymous_corroborates_perpetrator": (
                    self.clearance.anonymous_corroborates_perpetrator
                ),
                "block_probability": self.clearance.block_probability,
                "hold_probability": self.clearance.hold_probability,
                "clear_valid_hours": self.clearance.clear_valid_hours,
                "ie_detail": str(self.clearance.ie_detail),
                "custodian_contact": self.clearance.custodian_contact,
                "probing_name_only_per_day": self.clearance.probing_name_only_per_day,
                "probing_unreported_per_week": self.clearance.probing_unreported_per_week,
                "sweep_max_rows": self.clearance.sweep_max_rows,
                "sweeps_per_unit_per_day": self.clearance.sweeps_per_unit_per_day,
                "sweep_alert_rows": self.clearance.sweep_alert_rows,
            },
            "overrides": {
                "exception_categories": [str(c) for c in self.overrides.exception_categories],
                "approver_roles": sorted(self.overrides.approver_roles),
                "minimum_reason_length": self.overrides.minimum_reason_length,
            },
            "retention": self.retention.days(),
            "jurisdictions": {
                str(j): {
                    "duty_to_notify": p.duty_to_notify,
                    "duty_to_notify_law": p.duty_to_notify_law,
                    "modern_slavery_defence_law": p.modern_slavery_defence_law,
                    "victims_rights_instrument": p.victims_rights_instrument,
                    "safe_reporting_only": p.safe_reporting_only,
                }
                for j, p in self.jurisdictions.items()
            },
            "forces": {
                code: {
                    "safe_reporting_only": p.safe_reporting_only,
                    "status_doubt_only_refused_offences": sorted(
                        p.status_doubt_only_refused_offences
                    ),
                }
                for code, p in self.forces.items()
            },
        }


# The more protective default for every setting a policy file leaves out.
_DEFAULT_JURISDICTIONS: dict[Jurisdiction, dict[str, Any]] = {
    Jurisdiction.ENGLAND_WALES: {
        "duty_to_notify": True,
        "duty_to_notify_law": "Modern Slavery Act 2015, s.52",
        "modern_slavery_defence_law": "Modern Slavery Act 2015, s.45",
        "victims_rights_instrument": "Code of Practice for Victims of Crime in England and Wales",
        "safe_reporting_only": False,
    },
    Jurisdiction.SCOTLAND: {
        "duty_to_notify": False,
        "duty_to_notify_law": "",
        "modern_slavery_defence_law": (
            "Human Trafficking and Exploitation (Scotland) Act 2015, s.8 "
            "(Lord Advocate's instructions)"
        ),
        "victims_rights_instrument": "Victims' Code for Scotland",
        "safe_reporting_only": False,
    },
    Jurisdiction.NORTHERN_IRELAND: {
        "duty_to_notify": False,
        "duty_to_notify_law": "",
        "modern_slavery_defence_law": (
            "Human Trafficking and Exploitation (Criminal Justice and Support for Victims) "
            "Act (Northern Ireland) 2015, s.22"
        ),
        "victims_rights_instrument": "Victim Charter (Northern Ireland)",
        "safe_reporting_only": False,
    },
}


def available_policies() -> list[str]:
    """The ids of the shipped policies, sorted."""
    directory = resources.files(_POLICY_PACKAGE).joinpath(_POLICY_DIRECTORY)
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in directory.iterdir()
        if entry.name.endswith(".toml")
    )


def load_policy(policy_id: str) -> Policy:
    """Load and validate a shipped policy by id, for example ``mvp-2021``."""
    if not _ID_PATTERN.match(policy_id):
        raise PolicyError(f"{policy_id}.toml", "id", "is not a valid policy id.")
    if policy_id not in available_policies():
        known = ", ".join(available_policies())
        raise PolicyError(f"{policy_id}.toml", "id", f"no such policy. Known policies: {known}.")
    resource = resources.files(_POLICY_PACKAGE).joinpath(_POLICY_DIRECTORY, f"{policy_id}.toml")
    return _parse(resource.read_bytes(), f"{policy_id}.toml")


def shipped_versions() -> dict[str, tuple[str, bytes]]:
    """Every policy version the repository holds, by version: (id, file bytes).

    The current files in ``policies/`` and every earlier version kept in ``policies/archive/``
    as ``<id>/<version>.toml``. An archived file is never edited: its name is its hash, which a
    test checks, so a recorded decision's version always finds the exact rules that made it.
    """
    found: dict[str, tuple[str, bytes]] = {}
    directory = resources.files(_POLICY_PACKAGE).joinpath(_POLICY_DIRECTORY)
    archive = directory.joinpath(_ARCHIVE_DIRECTORY)
    if archive.is_dir():
        for folder in archive.iterdir():
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                if entry.name.endswith(".toml"):
                    raw = entry.read_bytes()
                    found[hashlib.sha256(raw).hexdigest()] = (folder.name, raw)
    for policy_id in available_policies():
        raw = directory.joinpath(f"{policy_id}.toml").read_bytes()
        found[hashlib.sha256(raw).hexdigest()] = (policy_id, raw)
    return found


def load_policy_version(policy_id: str, version: str) -> Policy:
    """The exact policy a decision recorded (its id and version), from the repository's files.

    Raises ``PolicyError`` when no file in ``policies/`` or ``policies/archive/`` has that hash
    and id, rather than replaying under other rules.
    """
    held = shipped_versions().get(version)
    if held is None or held[0] != policy_id:
        raise PolicyError(
            f"{policy_id}.toml",
            "version",
            f"no file of this policy has version {version[:12]}…; keep every version that "
            "decided something in policies/archive/.",
        )
    return _parse(held[1], f"{policy_id}.toml")


def policy_source(policy: Policy) -> bytes | None:
    """The bytes of the file a policy was loaded from, if the repository holds it."""
    held = shipped_versions().get(policy.version)
    return held[1] if held is not None and held[0] == policy.id else None


def parse_policy(raw: bytes, policy_id: str) -> Policy:
    """A policy from stored bytes (the database's registry); its version is their hash."""
    return _parse(raw, f"{policy_id}.toml")


def load_policy_file(path: Path | str) -> Policy:
    """Load and validate a policy from any file (a deployment's own policy, or a test copy)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PolicyError(path.name, "-", f"cannot be read ({error.strerror}).") from error
    return _parse(data, path.name)


def _parse(raw: bytes, file: str) -> Policy:
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise PolicyError(file, "-", f"is not valid UTF-8 TOML ({error}).") from error

    top = _Table(document, "", file)
    policy_id = top.text("id")
    if not _ID_PATTERN.match(policy_id):
        raise PolicyError(file, "id", "must be lower-case letters, digits and hyphens.")
    if file.endswith(".toml") and file.removesuffix(".toml") != policy_id:
        raise PolicyError(file, "id", f"'{policy_id}' does not match the file name.")
    title = top.text("title")
    summary = top.text("summary", default="")
    sources = tuple(top.text_list("sources", default=[]))
    referrals = _parse_referrals(top.table("referrals"))
    protection = _parse_protection(top.table("protection"))
    clearance = _parse_clearance(top.table("clearance"))
    overrides = _parse_overrides(top.table("overrides"))
    retention = _parse_retention(top.table("retention"))
    jurisdictions = _parse_jurisdictions(top.table("jurisdictions"))
    forces = _parse_forces(top.table("forces"))
    top.finish()

    return Policy(
        id=policy_id,
        title=title,
        summary=summary,
        sources=sources,
        version=hashlib.sha256(raw).hexdigest(),
        referrals=referrals,
        protection=protection,
        clearance=clearance,
        overrides=overrides,
        jurisdictions=MappingProxyType(jurisdictions),
        forces=MappingProxyType(forces),
        retention=retention,
    )


def _parse_referrals(table: _Table) -> ReferralRules:
    allowed_roles = frozenset(table.enum_list("allowed_roles", PartyRole, default=[]))
    fields = table.text_list("fields", default=[])
    known = set(IDENTITY_FIELDS) | set(REFERRAL_DETAIL_FIELDS)
    for name in fields:
        if name in NECESSITY_ONLY_FIELDS:
            table.fail(
                "fields",
                f"'{name}' may only be sent with a documented necessity; list it under "
                "necessity_fields instead.",
            )
        if name not in known:
            table.fail("fields", f"'{name}' is not a referral field.")
    _no_duplicates(table, "fields", fields)
    if allowed_roles & PROTECTED_ROLES:
        missing = [name for name in REQUIRED_REFERRAL_FIELDS if name not in fields]
        if missing:
            table.fail(
                "fields",
                "a policy that allows referrals must let these fields travel with them: "
                + ", ".join(missing)
                + ".",
            )
        if not set(fields) & set(IDENTITY_FIELDS):
            table.fail(
                "fields", "a policy that allows referrals needs at least one identity field."
            )
    necessity_fields = table.text_list("necessity_fields", default=[])
    for name in necessity_fields:
        if name not in NECESSITY_ONLY_FIELDS:
            table.fail(
                "necessity_fields",
                f"'{name}' is not a necessity-only field "
                f"(these are {', '.join(NECESSITY_ONLY_FIELDS)}).",
            )
    _no_duplicates(table, "necessity_fields", necessity_fields)
    refused_offences = frozenset(
        table.enum_list(
            "status_doubt_only_refused_offences", OffenceCategory, default=list(OffenceCategory)
        )
    )
    refused_roles = frozenset(
        table.enum_list(
            "status_doubt_only_refused_roles", PartyRole, default=sorted(PROTECTED_ROLES)
        )
    )
    consent_required = table.boolean("consent_required", default=True)
    table.finish()
    return ReferralRules(
        allowed_roles=allowed_roles,
        fields=tuple(fields),
        necessity_fields=tuple(necessity_fields),
        status_doubt_only_refused_offences=refused_offences,
        status_doubt_only_refused_roles=refused_roles,
        consent_required=consent_required,
    )


def _parse_protection(table: _Table) -> ProtectionRules:
    trigger = table.enum(
        "trigger", ProtectionTriggerMode, default=ProtectionTriggerMode.REGISTRATION
    )
    non_police = table.boolean("non_police_referrals_open_protection", default=True)
    covered_roles = frozenset(
        table.enum_list("covered_roles", PartyRole, default=sorted(PROTECTED_ROLES))
    )
    if PartyRole.SUSPECT in covered_roles:
        table.fail("covered_roles", "a suspect role cannot open or hold a protection (R15).")
    if not covered_roles:
        table.fail("covered_roles", "must cover at least the victim role.")
    raw_offences = table.raw("covered_offences", default="all")
    covered_offences: frozenset[OffenceCategory] | None
    if raw_offences == "all":
        covered_offences = None
    elif isinstance(raw_offences, list) and raw_offences:
        covered_offences = frozenset(
            table.enum_list("covered_offences", OffenceCategory, value=raw_offences)
        )
    else:
        table.fail("covered_offences", 'must be "all" or a non-empty list of offence categories.')
    mode = table.enum("conditions_mode", ConditionsMode, default=ConditionsMode.OR)
    holding = frozenset(
        table.enum_list(
            "regularisation_statuses_that_hold",
            RegularisationStatus,
            default=["advice_received", "application_pending", "appeal_pending"],
        )
    )
    for required in (
        RegularisationStatus.APPLICATION_PENDING,
        RegularisationStatus.APPEAL_PENDING,
    ):
        if required not in holding:
            table.fail(
                "regularisation_statuses_that_hold",
                f"must include '{required}': a pending application or appeal keeps protection "
                "active under either mode (R11).",
            )
    awaiting_advice = table.boolean("awaiting_advice_meets_regularisation_condition", default=True)
    disengagement = table.boolean("disengagement_ends_protection", default=False)
    minimum_days = table.integer("minimum_transition_days", default=90)
    close_roles = frozenset(table.text_list("close_roles", default=["protocol_officer"]))
    if not close_roles:
        table.fail("close_roles", "at least one role must be able to close a protection.")
    table.finish()
    return ProtectionRules(
        trigger=trigger,
        non_police_referrals_open_protection=non_police,
        covered_roles=covered_roles,
        covered_offences=covered_offences,
        conditions_mode=mode,
        regularisation_statuses_that_hold=holding,
        awaiting_advice_meets_regularisation_condition=awaiting_advice,
        disengagement_ends_protection=disengagement,
        minimum_transition_days=minimum_days,
        close_roles=close_roles,
    )


def _parse_clearance(table: _Table) -> ClearanceRules:
    hold = table.probability("hold_probability", default=0.2)
    block = table.probability("block_probability", default=0.99)
    if hold > 0.5:
        table.fail(
            "hold_probability",
            "must be 0.5 or less: a subject who is probably a protected person is never cleared.",
        )
    if block < hold:
        table.fail("block_probability", "must not be below hold_probability.")
    rules = ClearanceRules(
        anonymous_corroborates_perpetrator=table.boolean(
            "anonymous_corroborates_perpetrator", default=False
        ),
        block_probability=block,
        hold_probability=hold,
        clear_valid_hours=table.integer("clear_valid_hours", default=72),
        ie_detail=table.enum("ie_detail", IEDetail, default=IEDetail.CUSTODIAN),
        custodian_contact=table.text("custodian_contact", default=DEFAULT_CUSTODIAN_CONTACT),
        probing_name_only_per_day=table.integer("probing_name_only_per_day", default=10),
        probing_unreported_per_week=table.integer("probing_unreported_per_week", default=25),
        sweep_max_rows=table.integer("sweep_max_rows", default=250_000),
        sweeps_per_unit_per_day=table.integer("sweeps_per_unit_per_day", default=5),
        sweep_alert_rows=table.integer("sweep_alert_rows", default=50_000),
    )
    for key in (
        "probing_name_only_per_day",
        "probing_unreported_per_week",
        "sweep_max_rows",
        "sweeps_per_unit_per_day",
        "sweep_alert_rows",
    ):
        if getattr(rules, key) < 1:
            table.fail(key, "must be at least 1.")
    if rules.sweep_alert_rows > rules.sweep_max_rows:
        table.fail("sweep_alert_rows", "must not be above sweep_max_rows.")
    if not rules.custodian_contact.strip():
        table.fail("custodian_contact", "name the protocol custodian IE should contact.")
    if rules.clear_valid_hours < 1:
        table.fail("clear_valid_hours", "must be at least 1 hour.")
    table.finish()
    return rules


def _parse_overrides(table: _Table) -> OverrideRules:
    categories = table.enum_list(
        "exception_categories", ExceptionCategory, default=list(ExceptionCategory)
    )
    _no_duplicates(table, "exception_categories", categories)
    approver_roles = frozenset(
        table.text_list("approver_roles", default=["ie_senior_approver", "protocol_officer"])
    )
    if not approver_roles:
        table.fail("approver_roles", "at least one senior role must be able to approve.")
    minimum = table.integer("minimum_reason_length", default=40)
    if minimum < 1:
        table.fail("minimum_reason_length", "free-text reasons are required (R7), so at least 1.")
    table.finish()
    return OverrideRules(
        exception_categories=tuple(categories),
        approver_roles=approver_roles,
        minimum_reason_length=minimum,
    )


def _parse_retention(table: _Table) -> RetentionRules:
    defaults = RetentionRules()
    days = {}
    for name in RETENTION_RECORD_KINDS:
        days[name] = table.integer(name, default=getattr(defaults, name))
        if days[name] < 1:
            table.fail(name, "must be a whole number of days, 1 or more.")
    table.finish()
    return RetentionRules(**days)


def _parse_jurisdictions(table: _Table) -> dict[Jurisdiction, JurisdictionProfile]:
    profiles = {}
    for jurisdiction in Jurisdiction:
        defaults = _DEFAULT_JURISDICTIONS[jurisdiction]
        sub = table.table(str(jurisdiction))
        profile = JurisdictionProfile(
            jurisdiction=jurisdiction,
            duty_to_notify=sub.boolean("duty_to_notify", default=defaults["duty_to_notify"]),
            duty_to_notify_law=sub.text(
                "duty_to_notify_law", default=defaults["duty_to_notify_law"]
            ),
            modern_slavery_defence_law=sub.text(
                "modern_slavery_defence_law", default=defaults["modern_slavery_defence_law"]
            ),
            victims_rights_instrument=sub.text(
                "victims_rights_instrument", default=defaults["victims_rights_instrument"]
            ),
            safe_reporting_only=sub.boolean(
                "safe_reporting_only", default=defaults["safe_reporting_only"]
            ),
        )
        if profile.duty_to_notify and not profile.duty_to_notify_law:
            sub.fail("duty_to_notify_law", "name the law that imposes the duty to notify.")
        sub.finish()
        profiles[jurisdiction] = profile
    table.finish()
    return profiles


def _parse_forces(table: _Table) -> dict[str, ForceProfile]:
    forces = {}
    for code in list(table.keys()):
        if not _FORCE_CODE_PATTERN.match(code):
            table.fail(code, "force codes are upper-case letters, digits and hyphens.")
        sub = table.table(code)
        forces[code] = ForceProfile(
            force_code=code,
            safe_reporting_only=sub.boolean("safe_reporting_only", default=False),
            status_doubt_only_refused_offences=frozenset(
                sub.enum_list("status_doubt_only_refused_offences", OffenceCategory, default=[])
            ),
        )
        sub.finish()
    table.finish()
    return forces


def _no_duplicates(table: _Table, key: str, values: list[Any]) -> None:
    if len(set(values)) != len(values):
        table.fail(key, "lists a value more than once.")


_MISSING = object()


class _Table:
    """One TOML table, read key by key so that unknown keys can be reported."""

    def __init__(self, data: Any, prefix: str, file: str) -> None:
        if not isinstance(data, dict):
            raise PolicyError(file, prefix or "-", "must be a table.")
        self._data = data
        self._prefix = prefix
        self._file = file
        self._seen: set[str] = set()

    def keys(self) -> list[str]:
        return list(self._data)

    def fail(self, key: str, message: str) -> Any:
        raise PolicyError(self._file, self._path(key), message)

    def finish(self) -> None:
        unknown = sorted(set(self._data) - self._seen)
        if unknown:
            self.fail(unknown[0], "is not a known setting.")

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        self._seen.add(key)
        if key in self._data:
            return self._data[key]
        if default is _MISSING:
            self.fail(key, "is required.")
        return default

    def table(self, key: str) -> _Table:
        value = self.raw(key, default={})
        if not isinstance(value, dict):
            self.fail(key, "must be a table.")
        return _Table(value, self._path(key), self._file)

    def text(self, key: str, default: Any = _MISSING) -> str:
        value = self.raw(key, default)
        if not isinstance(value, str) or (default is _MISSING and not value.strip()):
            self.fail(key, "must be a non-empty string.")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            self.fail(key, "must be true or false.")
        return value

    def integer(self, key: str, default: int) -> int:
        value = self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(key, "must be a whole number, zero or more.")
        return value

    def probability(self, key: str, default: float) -> float:
        value = self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
            self.fail(key, "must be a probability above 0 and below 1.")
        return float(value)

    def text_list(self, key: str, default: list[str]) -> list[str]:
        value = self.raw(key, default)
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            self.fail(key, "must be a list of non-empty strings.")
        return list(value)

    def enum[E: StrEnum](self, key: str, kind: type[E], default: E) -> E:
        value = self.raw(key, str(default))
        return self._member(key, kind, value)

    def enum_list[E: StrEnum](
        self, key: str, kind: type[E], default: Any = _MISSING, value: Any = _MISSING
    ) -> list[E]:
        if value is _MISSING:
            value = self.raw(key, default)
        if not isinstance(value, list):
            self.fail(key, "must be a list.")
        members = [self._member(key, kind, item) for item in value]
        _no_duplicates(self, key, members)
        return members

    def _member[E: StrEnum](self, key: str, kind: type[E], value: Any) -> E:
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(str(member) for member in kind)
            return self.fail(key, f"'{value}' is not one of: {allowed}.")

    def _path(self, key: str) -> str:
        return f"{self._prefix}.{key}" if self._prefix else key
