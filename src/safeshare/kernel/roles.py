"""Roles and organisation kinds, and which roles each kind of organisation may hold."""

from __future__ import annotations

from enum import StrEnum


class OrganisationKind(StrEnum):
    """The kinds of organisation that use SafeShare. NHS bodies, local authorities and NRM
    first responders refer victims as police forces do (R5)."""

    POLICE_FORCE = "police_force"
    IE_UNIT = "ie_unit"
    OVERSIGHT_BODY = "oversight_body"
    SUPPORT_ORGANISATION = "support_organisation"
    NHS_BODY = "nhs_body"
    LOCAL_AUTHORITY = "local_authority"
    NRM_FIRST_RESPONDER = "nrm_first_responder"

    @property
    def label(self) -> str:
        return ORGANISATION_KIND_LABELS[self]


ORGANISATION_KIND_LABELS = {
    OrganisationKind.POLICE_FORCE: "Police force",
    OrganisationKind.IE_UNIT: "Immigration Enforcement unit",
    OrganisationKind.OVERSIGHT_BODY: "Oversight body",
    OrganisationKind.SUPPORT_ORGANISATION: "Support organisation",
    OrganisationKind.NHS_BODY: "NHS body",
    OrganisationKind.LOCAL_AUTHORITY: "Local authority",
    OrganisationKind.NRM_FIRST_RESPONDER: "NRM first responder",
}

REFERRING_KINDS = frozenset(
    {
        OrganisationKind.NHS_BODY,
        OrganisationKind.LOCAL_AUTHORITY,
        OrganisationKind.NRM_FIRST_RESPONDER,
    }
)
"""Organisations other than police forces that may refer a victim (R5)."""


class Role(StrEnum):
    """What a person (or an API client) may do in SafeShare."""

    POLICE_OFFICER = "police_officer"
    PROTOCOL_OFFICER = "protocol_officer"
    IE_CASEWORKER = "ie_caseworker"
    IE_SENIOR_APPROVER = "ie_senior_approver"
    OVERSIGHT_ANALYST = "oversight_analyst"
    ADVOCATE = "advocate"
    ADMINISTRATOR = "administrator"
    #: Staff of an NHS body, local authority or NRM first responder who refer a victim (R5).
    REFERRER = "referrer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_staff_role(self) -> bool:
        """Roles that handle personal data or decisions about people (second factor offered)."""
        return self is not Role.ADVOCATE


ROLE_LABELS = {
    Role.POLICE_OFFICER: "Police officer",
    Role.PROTOCOL_OFFICER: "Protocol officer",
    Role.IE_CASEWORKER: "Immigration Enforcement caseworker",
    Role.IE_SENIOR_APPROVER: "Immigration Enforcement senior approver",
    Role.OVERSIGHT_ANALYST: "Oversight analyst",
    Role.ADVOCATE: "Advocate",
    Role.ADMINISTRATOR: "Administrator",
    Role.REFERRER: "Referrer",
}

ROLES_BY_ORGANISATION_KIND: dict[OrganisationKind, frozenset[Role]] = {
    OrganisationKind.POLICE_FORCE: frozenset(
        {Role.POLICE_OFFICER, Role.PROTOCOL_OFFICER, Role.ADMINISTRATOR}
    ),
    OrganisationKind.IE_UNIT: frozenset(
        {Role.IE_CASEWORKER, Role.IE_SENIOR_APPROVER, Role.ADMINISTRATOR}
    ),
    OrganisationKind.OVERSIGHT_BODY: frozenset({Role.OVERSIGHT_ANALYST, Role.ADMINISTRATOR}),
    OrganisationKind.SUPPORT_ORGANISATION: frozenset({Role.ADVOCATE, Role.ADMINISTRATOR}),
    **dict.fromkeys(REFERRING_KINDS, frozenset({Role.REFERRER, Role.ADMINISTRATOR})),
}


def role_allowed_for(kind: OrganisationKind | str, role: Role | str) -> bool:
    """Whether an organisation of this kind may hold this role."""
    return Role(role) in ROLES_BY_ORGANISATION_KIND[OrganisationKind(kind)]


class Scope(StrEnum):
    """What an API token may be used for. A token also acts with exactly one role."""

    CASES_READ = "cases:read"
    CASES_WRITE = "cases:write"
    REFERRALS_WRITE = "referrals:write"
    PROTECTIONS_READ = "protections:read"
    CLEARANCES_WRITE = "clearances:write"
    REVIEWS_READ = "reviews:read"
    REVIEWS_WRITE = "reviews:write"
    OVERRIDES_WRITE = "overrides:write"
    LEDGER_READ = "ledger:read"
    STATISTICS_READ = "statistics:read"


DEFAULT_SCOPES_BY_ROLE: dict[Role, frozenset[Scope]] = {
    Role.POLICE_OFFICER: frozenset(
        {
            Scope.CASES_READ,
            Scope.CASES_WRITE,
            Scope.REFERRALS_WRITE,
            Scope.PROTECTIONS_READ,
            Scope.LEDGER_READ,
        }
    ),
    Role.PROTOCOL_OFFICER: frozenset(
        {
            Scope.REVIEWS_READ,
            Scope.REVIEWS_WRITE,
            Scope.OVERRIDES_WRITE,
            Scope.PROTECTIONS_READ,
            Scope.LEDGER_READ,
        }
    ),
    Role.IE_CASEWORKER: frozenset(
        {Scope.CLEARANCES_WRITE, Scope.PROTECTIONS_READ, Scope.OVERRIDES_WRITE, Scope.LEDGER_READ}
    ),
    Role.IE_SENIOR_APPROVER: frozenset(
        {Scope.CLEARANCES_WRITE, Scope.PROTECTIONS_READ, Scope.OVERRIDES_WRITE, Scope.LEDGER_READ}
    ),
    Role.OVERSIGHT_ANALYST: frozenset({Scope.STATISTICS_READ, Scope.LEDGER_READ}),
    Role.ADVOCATE: frozenset({Scope.LEDGER_READ}),
    Role.ADMINISTRATOR: frozenset({Scope.LEDGER_READ}),
    # A referrer records referrals and nothing else: it reads no case, protection or clearance.
    Role.REFERRER: frozenset({Scope.REFERRALS_WRITE, Scope.LEDGER_READ}),
}
