"""Who may open which page: one declared table, enforced for every request by middleware.

A route that is not in the table is refused to everyone, so a new page is closed until someone
decides who may see it. Later issues add their routes here; the role-by-page test walks them all.
The API has its own table, ``API_PERMISSIONS`` (role × operation × object scope), at the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from safeshare.kernel.roles import Role, Scope

PUBLIC: Final = "public"
"""Anyone may open the page, signed in or not."""

ALL_ROLES: Final = frozenset(Role)
POLICE = frozenset({Role.POLICE_OFFICER})
PROTOCOL = frozenset({Role.PROTOCOL_OFFICER})
IE = frozenset({Role.IE_CASEWORKER, Role.IE_SENIOR_APPROVER})
IE_SENIOR = frozenset({Role.IE_SENIOR_APPROVER})
OVERSIGHT = frozenset({Role.OVERSIGHT_ANALYST})
ADVOCATES = frozenset({Role.ADVOCATE})
ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})
REFERRERS = frozenset({Role.REFERRER})
SEES_SINGLE_EVENTS: Final = OVERSIGHT
"""Roles that may see single events (one alert per override or action against a protected
person). Every other oversight figure is disclosure-controlled; the alerts list is not, so it
is open to these roles only, and says so."""

PAGE_PERMISSIONS: dict[str, frozenset[Role] | str] = {
    "accounts:sign-in": PUBLIC,
    "accounts:second-factor": PUBLIC,
    "accounts:second-factor-enrol": PUBLIC,
    "accounts:sign-out": ALL_ROLES,
    "accounts:second-factor-setup": ALL_ROLES,
    "accounts:second-factor-reset": ADMINISTRATORS,
    # Passkeys: during sign-in (each view checks the pending sign-in in the session), and on
    # the person's own account page.
    "accounts:passkey-options": PUBLIC,
    "accounts:passkey-sign-in": PUBLIC,
    "accounts:passkey-enrol-options": PUBLIC,
    "accounts:passkey-enrol": PUBLIC,
    "accounts:passkey-add-options": ALL_ROLES,
    "accounts:passkey-add": ALL_ROLES,
    "accounts:passkey-remove": ALL_ROLES,
    "web:home": ALL_ROLES,
    # Administration (docs/adr/0024): administrators manage their own organisation's people and
    # tokens; the views reach other organisations only for the operator's administrators.
    "administration:organisations": ADMINISTRATORS,
    "administration:people": ADMINISTRATORS,
    "administration:tokens": ADMINISTRATORS,
    "administration:webhooks": ADMINISTRATORS,
    "referrals:agreements": ADMINISTRATORS,
    "administration:accept-invitation": PUBLIC,
    "web:accessibility": PUBLIC,
    "web:privacy": PUBLIC,
    "web:stay-signed-in": ALL_ROLES,
    # Police: their own force's cases, the people in them, referrals (views scope by force).
    "cases:list": POLICE,
    "cases:create": POLICE,
    "cases:import": POLICE,
    "cases:detail": POLICE,
    "cases:add-party": POLICE,
    "cases:record-event": POLICE,
    "cases:party-nrm": POLICE,
    "protocol:case-event": POLICE,
    "cases:person-duplicates": POLICE,
    "referrals:start": POLICE,
    "referrals:check": POLICE,
    "referrals:consent": POLICE,
    "referrals:detail": POLICE,
    "referrals:refused": POLICE,
    "referrals:authority-refused": REFERRERS,
    # Protections their force opened or holds a case for; only protocol officers close one.
    "protocol:protection": POLICE | PROTOCOL,
    "protocol:protection-letter": POLICE | PROTOCOL,
    "protocol:protection-regularisation": POLICE,
    "protocol:protection-nrm": POLICE,
    "protocol:protection-close": PROTOCOL,
    "protocol:protection-notice-given": PROTOCOL,
    # Immigration Enforcement: its own organisation's clearances, and overrides of them.
    "protocol:clearance-list": IE,
    "protocol:clearance-new": IE,
    "protocol:clearance": IE,
    "protocol:override-new": IE,
    "protocol:override-withdraw": IE,
    "protocol:clearance-outcome": IE,
    # Sweeps of a caseload against the register: IE, its own organisation's (views scope).
    "matching:sweep-list": IE,
    "matching:sweep-new": IE,
    "matching:sweep": IE,
    "matching:sweep-download": IE,
    # Possible matches for protocol officers; overrides for the second, senior person.
    "protocol:review-list": PROTOCOL,
    "protocol:review": PROTOCOL,
    "protocol:override-list": PROTOCOL | IE_SENIOR,
    "protocol:override": PROTOCOL | IE_SENIOR,
    # Letters, advice packs and subject access for the force's protections (views scope by
    # force); only police officers record safe contact and issue letters and packs.
    "advice:start": POLICE | PROTOCOL,
    "advice:protection": POLICE | PROTOCOL,
    "advice:contact": POLICE,
    "advice:issue-letter": POLICE,
    "advice:issue-pack": POLICE,
    "advice:pack": POLICE | PROTOCOL,
    "advice:pack-pdf": POLICE | PROTOCOL,
    "advice:subject-access": POLICE | PROTOCOL,
    "advice:subject-access-exemptions": POLICE | PROTOCOL,
    # The victim's own view: open to anyone here; each page checks the victim's session (a
    # protection reference and the passcode on their letter) itself.
    "advice:check-receipt": PUBLIC,
    "advice:victim-sign-in": PUBLIC,
    "advice:victim-protection": PUBLIC,
    "advice:victim-shared": PUBLIC,
    "advice:victim-receipt": PUBLIC,
    "advice:victim-advice": PUBLIC,
    "advice:victim-advice-pdf": PUBLIC,
    "advice:victim-sign-out": PUBLIC,
    "advice:victim-leave": PUBLIC,
    "advice:victim-language": PUBLIC,
    # Notices to people: the force's protocol officers see what did not reach a person, and
    # staff read the messages addressed to their organisation and role (views scope both).
    "notifications:list": PROTOCOL,
    "notifications:resolve": PROTOCOL,
    "notifications:messages": POLICE | PROTOCOL | IE,
    "notifications:reach": POLICE | PROTOCOL,
    # Advocates see only people whose active consent names their organisation (or them); the
    # force's officers, and the person on their own pages, record and withdraw that consent.
    "advocates:people": ADVOCATES,
    "advocates:person": ADVOCATES,
    "advocates:pack-pdf": ADVOCATES,
    "advocates:letter-pdf": ADVOCATES,
    "advocates:subject-access": ADVOCATES,
    "advocates:protection-consents": POLICE | PROTOCOL,
    "advocates:withdraw": POLICE | PROTOCOL,
    "advocates:victim-consents": PUBLIC,
    # Worklists of the officer's force (views scope by force); search is audited.
    "worklists:holds": PROTOCOL,
    "worklists:transitions": PROTOCOL,
    "worklists:exemptions": PROTOCOL,
    "worklists:subject-access-requests": PROTOCOL,
    "worklists:cases": POLICE,
    "worklists:search": POLICE | PROTOCOL,
    # IE's own organisation's clearances, as IE was told them (the view scopes).
    "worklists:clearances": IE,
    # Oversight: disclosure-controlled statistics, alerts, policy comparison, the ledger.
    "oversight:dashboard": OVERSIGHT,
    "oversight:statistic": OVERSIGHT,
    "oversight:download": OVERSIGHT,
    "oversight:alerts": SEES_SINGLE_EVENTS,
    "oversight:alert-acknowledge": SEES_SINGLE_EVENTS,
    "oversight:comparison": OVERSIGHT,
    "oversight:ledger": OVERSIGHT,
    "oversight:ledger-export": OVERSIGHT,
    "oversight:retention": OVERSIGHT,
    "oversight:reads": OVERSIGHT,
}

EXEMPT_PATH_PREFIXES: tuple[str, ...] = (
    "/api/",
    "/static/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/ledger/public/",
)
"""Paths with their own access control (the API checks bearer tokens and scopes itself; the
published ledger is open to all by design and holds no personal data, docs/ledger.md)."""


def roles_for(view_name: str) -> frozenset[Role] | str | None:
    """The roles allowed on a route, PUBLIC, or None when the route is not declared."""
    return PAGE_PERMISSIONS.get(view_name)


def may_see_single_events(role: object) -> bool:
    """Whether a person with ``role`` may see single events (the alerts list)."""
    return str(role) in {r.value for r in SEES_SINGLE_EVENTS}


def single_event_roles() -> str:
    """The roles that may see single events, in words ("Oversight analysts")."""
    labels = sorted(r.label for r in SEES_SINGLE_EVENTS)
    return " and ".join(f"{label.lower()}s" for label in labels).capitalize()


# --- The API: role × operation × object scope ------------------------------------------------
#
# Every API operation ("METHOD /path/{template}", relative to /api/v1) is declared here with the
# token scope it needs and, for each role that may call it, which objects that role reaches.
# ``BearerToken`` (safeshare/api_kit.py) refuses an undeclared operation, a role that is not listed
# and a token without the scope, before the endpoint runs; endpoints keep their own
# ``require_scope`` and object filters (defence in depth). The object scope is enforced by the
# endpoint's query and proved against real objects by tests/security/test_access_table.py.

NO_OBJECT: Final = "none"
"""The operation reads no stored object, or creates one for the caller's own organisation."""
ANY_OBJECT: Final = "any"
"""Any object of the kind (IE reads a protection by reference: status and contact only)."""
OWN_FORCE_CASE: Final = "own_force_case"
"""A case of the caller's police force (and the people in it); another force's is not found."""
PROTECTION_OF_OWN_FORCE: Final = "protection_of_own_force"
"""A protection the caller's force opened or holds a case for."""
OWN_ORG_CLEARANCE: Final = "own_org_clearance"
"""A clearance the caller's organisation asked for."""
REVIEW_OF_OWN_FORCE: Final = "review_of_own_force"
"""A possible-match review whose candidate protections belong to the caller's force."""
OWN_ORG_OVERRIDE: Final = "own_org_override"
"""An override the caller's (IE) organisation asked for."""
OWN_ORG_SWEEP: Final = "own_org_sweep"
"""A caseload sweep the caller's (IE) organisation uploaded."""
OVERRIDE_OF_OWN_FORCE: Final = "override_of_own_force"
"""An override of a block on a protection that belongs to the caller's force."""
OWN_ORG_AUTHORITY_REFERRAL: Final = "own_org_authority_referral"
"""A referral the caller's organisation (an NHS body, local authority or NRM first responder)
made; another organisation's is not found."""


@dataclass(frozen=True)
class ApiPermission:
    """Who may call one API operation: the token scope it needs and, per role, on what."""

    scope: Scope | None
    objects: Mapping[Role, str]

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(self.objects)


def _api(scope: Scope | None, *grants: tuple[frozenset[Role], str]) -> ApiPermission:
    return ApiPermission(
        scope, {role: objects for roles, objects in grants for role in sorted(roles)}
    )


API_PERMISSIONS: dict[str, ApiPermission] = {
    "GET /whoami": _api(None, (ALL_ROLES, NO_OBJECT)),
    "GET /enforcement-actions": _api(None, (ALL_ROLES, NO_OBJECT)),
    # Police: their own force's cases, the people in them and referrals from them.
    "POST /cases": _api(Scope.CASES_WRITE, (POLICE, NO_OBJECT)),
    "GET /cases/{case_id}": _api(Scope.CASES_READ, (POLICE, OWN_FORCE_CASE)),
    # Feeds from the force's records system (docs/adr/0025): by its own crime reference, and
    # its cases listed with a cursor; another force's reference is not found.
    "GET /cases": _api(Scope.CASES_READ, (POLICE, NO_OBJECT)),
    "PUT /cases/by-reference/{force}/{crime_reference}": _api(
        Scope.CASES_WRITE, (POLICE, OWN_FORCE_CASE)
    ),
    "GET /cases/by-reference/{force}/{crime_reference}": _api(
        Scope.CASES_READ, (POLICE, OWN_FORCE_CASE)
    ),
    "POST /cases/{case_id}/parties": _api(Scope.CASES_WRITE, (POLICE, OWN_FORCE_CASE)),
    "POST /cases/{case_id}/events": _api(Scope.CASES_WRITE, (POLICE, OWN_FORCE_CASE)),
    "POST /cases/{case_id}/parties/{party_id}/nrm-records": _api(
        Scope.CASES_WRITE, (POLICE, OWN_FORCE_CASE)
    ),
    "POST /cases/{case_id}/parties/{party_id}/nrm-decisions": _api(
        Scope.CASES_WRITE, (POLICE, OWN_FORCE_CASE)
    ),
    # Correcting and merging people in the force's cases (R24); a second person approves.
    "POST /people/{person_id}/identities": _api(Scope.CASES_WRITE, (POLICE, OWN_FORCE_CASE)),
    "POST /people/{person_id}/merges": _api(Scope.CASES_WRITE, (POLICE, OWN_FORCE_CASE)),
    # Possible duplicates among the people of the force's own cases, found by the matcher.
    "GET /people/{person_id}/possible-duplicates": _api(
        Scope.CASES_READ, (POLICE, OWN_FORCE_CASE)
    ),
    "POST /people/merges/{merge_id}/approve": _api(Scope.CASES_WRITE, (POLICE, OWN_FORCE_CASE)),
    "POST /referrals": _api(Scope.REFERRALS_WRITE, (POLICE, OWN_FORCE_CASE)),
    # Consent to sharing with IE (consent-2025): asked and recorded by the force's officers.
    "POST /cases/{case_id}/parties/{party_id}/consents": _api(
        Scope.REFERRALS_WRITE, (POLICE, OWN_FORCE_CASE)
    ),
    "POST /consents/{consent_id}/withdrawal": _api(
        Scope.REFERRALS_WRITE, (POLICE, OWN_FORCE_CASE)
    ),
    "POST /consents/{consent_id}/not-freely-given": _api(
        Scope.REFERRALS_WRITE, (POLICE, OWN_FORCE_CASE)
    ),
    # NHS bodies, local authorities and NRM first responders (R5): a referral that registers
    # the person and opens their protection as the policy allows; they read nothing back.
    "POST /authority-referrals": _api(Scope.REFERRALS_WRITE, (REFERRERS, NO_OBJECT)),
    # The referrer sees its own refused referrals: who tried, when, which rules refused them.
    "GET /authority-referrals/refused": _api(Scope.REFERRALS_WRITE, (REFERRERS, NO_OBJECT)),
    # The referrer ends its own referral's hold, then closes the protection after notice.
    "POST /authority-referrals/{referral_id}/withdrawal": _api(
        Scope.REFERRALS_WRITE, (REFERRERS, OWN_ORG_AUTHORITY_REFERRAL)
    ),
    "POST /authority-referrals/{referral_id}/protection-closure": _api(
        Scope.REFERRALS_WRITE, (REFERRERS, OWN_ORG_AUTHORITY_REFERRAL)
    ),
    # Protections: IE reads any by reference (protected or not, whom to contact: R18); police
    # and protocol officers read their own force's, with the reasons for the status.
    "GET /protections/{reference}": _api(
        Scope.PROTECTIONS_READ, (POLICE | PROTOCOL, PROTECTION_OF_OWN_FORCE), (IE, ANY_OBJECT)
    ),
    # The list holds only the force's own protections; IE never lists the register
    # (docs/adr/0032): it checks one reference at a time.
    "GET /protections": _api(Scope.PROTECTIONS_READ, (POLICE | PROTOCOL, NO_OBJECT)),
    "POST /protections/{reference}/regularisation": _api(
        Scope.CASES_WRITE, (POLICE, PROTECTION_OF_OWN_FORCE)
    ),
    "POST /protections/{reference}/nrm-decision": _api(
        Scope.CASES_WRITE, (POLICE, PROTECTION_OF_OWN_FORCE)
    ),
    "POST /protections/{reference}/public-order-disqualification": _api(
        Scope.CASES_WRITE, (POLICE, PROTECTION_OF_OWN_FORCE)
    ),
    # Safe contact for notices (R28, R29): recorded by the force's police officers, as on the
    # safe-contact page; the notices' delivery is read by its police and protocol officers.
    "POST /protections/{reference}/contact-settings": _api(
        Scope.CASES_WRITE, (POLICE, PROTECTION_OF_OWN_FORCE)
    ),
    "GET /protections/{reference}/notifications": _api(
        Scope.PROTECTIONS_READ, (POLICE | PROTOCOL, PROTECTION_OF_OWN_FORCE)
    ),
    # Immigration Enforcement: clearances and overrides of its own organisation.
    "POST /clearances": _api(Scope.CLEARANCES_WRITE, (IE, NO_OBJECT)),
    "GET /clearances/{clearance_id}": _api(Scope.CLEARANCES_WRITE, (IE, OWN_ORG_CLEARANCE)),
    "GET /clearances": _api(Scope.CLEARANCES_WRITE, (IE, NO_OBJECT)),
    "POST /clearances/{clearance_id}/outcome": _api(
        Scope.CLEARANCES_WRITE, (IE, OWN_ORG_CLEARANCE)
    ),
    "POST /overrides": _api(Scope.OVERRIDES_WRITE, (IE, OWN_ORG_CLEARANCE)),
    # The second, senior person: an IE senior approver of the unit that asked, or a protocol
    # officer of the force whose protection blocked the action.
    "POST /overrides/{override_id}/approve": _api(
        Scope.OVERRIDES_WRITE, (IE_SENIOR, OWN_ORG_OVERRIDE), (PROTOCOL, OVERRIDE_OF_OWN_FORCE)
    ),
    # Protocol officers: possible matches against their force's protections.
    "GET /reviews": _api(Scope.REVIEWS_READ, (PROTOCOL, REVIEW_OF_OWN_FORCE)),
    "POST /reviews/{review_id}/resolve": _api(
        Scope.REVIEWS_WRITE, (PROTOCOL, REVIEW_OF_OWN_FORCE)
    ),
    # Oversight: disclosure-controlled figures and the ledger's status; no personal data.
    "GET /oversight/statistics": _api(Scope.STATISTICS_READ, (OVERSIGHT, ANY_OBJECT)),
    "GET /oversight/statistics/{statistic_id}": _api(
        Scope.STATISTICS_READ, (OVERSIGHT, ANY_OBJECT)
    ),
    "GET /oversight/alerts": _api(Scope.STATISTICS_READ, (SEES_SINGLE_EVENTS, ANY_OBJECT)),
    "GET /oversight/comparison": _api(Scope.STATISTICS_READ, (OVERSIGHT, ANY_OBJECT)),
    "GET /oversight/ledger": _api(Scope.LEDGER_READ, (OVERSIGHT, ANY_OBJECT)),
    # The transparency log holds no personal data: any token with ledger:read.
    "GET /ledger/checkpoint": _api(Scope.LEDGER_READ, (ALL_ROLES, ANY_OBJECT)),
    "GET /ledger/entries": _api(Scope.LEDGER_READ, (ALL_ROLES, ANY_OBJECT)),
    "GET /ledger/entries/{index}/proof": _api(Scope.LEDGER_READ, (ALL_ROLES, ANY_OBJECT)),
    "GET /ledger/consistency": _api(Scope.LEDGER_READ, (ALL_ROLES, ANY_OBJECT)),
    "GET /ledger/public-key": _api(Scope.LEDGER_READ, (ALL_ROLES, ANY_OBJECT)),
}


# Pages about one object: which objects each allowed role reaches (the views scope their
# queries; tests/security/test_access_table.py opens every one with real objects of both sides).
# A role missing from a route's entry reaches no object through it; routes without an object
# are not listed.
PERSON_IN_OWN_FORCE_CASE: Final = "person_in_own_force_case"
"""A person who is a party to a case of the caller's force."""
VICTIMS_OWN: Final = "victims_own"
"""The signed-in victim's own protection, disclosures and advice packs, nobody else's."""
CONSENTED_PERSON: Final = "consented_person"
"""A person whose active consent names the advocate's organisation (or the advocate)."""

_OWN_PROTECTION: Final[Mapping[Role | str, str]] = {Role.POLICE_OFFICER: PROTECTION_OF_OWN_FORCE}
_READ_PROTECTION: Final[Mapping[Role | str, str]] = {
    Role.POLICE_OFFICER: PROTECTION_OF_OWN_FORCE,
    Role.PROTOCOL_OFFICER: PROTECTION_OF_OWN_FORCE,
}
_OWN_CASE: Final[Mapping[Role | str, str]] = {Role.POLICE_OFFICER: OWN_FORCE_CASE}
_IE_CLEARANCE: Final[Mapping[Role | str, str]] = dict.fromkeys(IE, OWN_ORG_CLEARANCE)

PAGE_OBJECT_SCOPES: dict[str, Mapping[Role | str, str]] = {
    "cases:detail": _OWN_CASE,
    "cases:add-party": _OWN_CASE,
    "cases:record-event": _OWN_CASE,
    "cases:party-nrm": _OWN_CASE,
    "protocol:case-event": _OWN_CASE,
    "cases:person-duplicates": {Role.POLICE_OFFICER: PERSON_IN_OWN_FORCE_CASE},
    "referrals:start": _OWN_CASE,
    "referrals:check": _OWN_CASE,
    "referrals:consent": _OWN_CASE,
    "referrals:detail": _OWN_CASE,
    "protocol:protection": _READ_PROTECTION,
    "protocol:protection-letter": _READ_PROTECTION,
    "protocol:protection-regularisation": _OWN_PROTECTION,
    "protocol:protection-nrm": _OWN_PROTECTION,
    "protocol:protection-close": {Role.PROTOCOL_OFFICER: PROTECTION_OF_OWN_FORCE},
    "protocol:protection-notice-given": {Role.PROTOCOL_OFFICER: PROTECTION_OF_OWN_FORCE},
    "protocol:clearance": _IE_CLEARANCE,
    "matching:sweep": dict.fromkeys(IE, OWN_ORG_SWEEP),
    "matching:sweep-download": dict.fromkeys(IE, OWN_ORG_SWEEP),
    "protocol:override-new": _IE_CLEARANCE,
    "protocol:override-withdraw": _IE_CLEARANCE,
    "protocol:clearance-outcome": _IE_CLEARANCE,
    "protocol:review": {Role.PROTOCOL_OFFICER: REVIEW_OF_OWN_FORCE},
    "protocol:override": {
        Role.PROTOCOL_OFFICER: OVERRIDE_OF_OWN_FORCE,
        Role.IE_SENIOR_APPROVER: OWN_ORG_OVERRIDE,
    },
    "advice:protection": _READ_PROTECTION,
    "advice:contact": _OWN_PROTECTION,
    "advice:issue-letter": _OWN_PROTECTION,
    "advice:issue-pack": _OWN_PROTECTION,
    "advice:pack": _READ_PROTECTION,
    "advice:pack-pdf": _READ_PROTECTION,
    "advice:subject-access": {
        Role.POLICE_OFFICER: PERSON_IN_OWN_FORCE_CASE,
        Role.PROTOCOL_OFFICER: PERSON_IN_OWN_FORCE_CASE,
    },
    "advocates:person": {Role.ADVOCATE: CONSENTED_PERSON},
    "advocates:pack-pdf": {Role.ADVOCATE: CONSENTED_PERSON},
    "advocates:letter-pdf": {Role.ADVOCATE: CONSENTED_PERSON},
    "advocates:subject-access": {Role.ADVOCATE: CONSENTED_PERSON},
    "advocates:protection-consents": _READ_PROTECTION,
    "advocates:withdraw": _READ_PROTECTION,
    "notifications:reach": _READ_PROTECTION,
    "advice:subject-access-exemptions": {
        Role.POLICE_OFFICER: PERSON_IN_OWN_FORCE_CASE,
        Role.PROTOCOL_OFFICER: PERSON_IN_OWN_FORCE_CASE,
    },
    # Open to anyone at the page table; only the signed-in victim gets past the view's check.
    "advice:victim-receipt": {PUBLIC: VICTIMS_OWN},
    # Only the caller's own passkey is removed (the view filters by the signed-in person).
    "accounts:passkey-remove": dict.fromkeys(ALL_ROLES, NO_OBJECT),
    "advice:victim-advice-pdf": {PUBLIC: VICTIMS_OWN},
    "advice:victim-language": {PUBLIC: NO_OBJECT},
}


def api_permission(operation: str) -> ApiPermission | None:
    """The declared permission for ``"METHOD /path/{template}"``, or None (refused to all)."""
    return API_PERMISSIONS.get(operation)
