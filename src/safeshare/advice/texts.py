"""Words the victim reads that depend on data: statuses, kinds of record, fields shared.

All are translated (``gettext_lazy``). Plain words, short sentences: the pages are written for a
reading age of about nine.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from safeshare.advice.eligibility import Fit
from safeshare.protocol.protection import ProtectionStatus

STATUS_LABELS = {
    ProtectionStatus.ACTIVE: _("Active"),
    ProtectionStatus.TRANSITION: _("In transition"),
    ProtectionStatus.ENDED: _("Ended"),
}

STATUS_MEANINGS = {
    ProtectionStatus.ACTIVE: _(
        "You are protected. Immigration Enforcement must not take action against you while "
        "the police case goes on. There is no end date."
    ),
    ProtectionStatus.TRANSITION: _(
        "The police case is over, but you are still protected. Your protection will not stop "
        "just because time passes. Before it ends, you will be told in writing and you will "
        "have time to get advice."
    ),
    ProtectionStatus.ENDED: _(
        "Your protection has ended. Get free legal advice about your immigration status as "
        "soon as you can."
    ),
}

# The same meanings, said to an advocate about the person they support.
ADVOCATE_STATUS_MEANINGS = {
    ProtectionStatus.ACTIVE: _(
        "The person is protected. Immigration Enforcement must not take action against them "
        "while the police case goes on. There is no end date."
    ),
    ProtectionStatus.TRANSITION: _(
        "The police case is over, but the person is still protected. Their protection will not "
        "stop just because time passes. Before it ends, they will be told in writing and will "
        "have time to get advice."
    ),
    ProtectionStatus.ENDED: _(
        "The person's protection has ended. They should get free legal advice about their "
        "immigration status as soon as they can."
    ),
}

STATUS_TAG_CLASSES = {
    ProtectionStatus.ACTIVE: "govuk-tag--green",
    ProtectionStatus.TRANSITION: "govuk-tag--yellow",
    ProtectionStatus.ENDED: "govuk-tag--grey",
}

FIT_HEADINGS = {
    Fit.MAY_APPLY: _("Ways you may be able to stay"),
    Fit.NEEDS_CHECKING: _("Ways to stay that an adviser needs to check"),
    Fit.NOT_THIS_ROUTE: _("Ways to stay that are not for you"),
}

FIT_LABELS = {
    Fit.MAY_APPLY: _("This may be right for you"),
    Fit.NEEDS_CHECKING: _("An adviser needs to check this"),
    Fit.NOT_THIS_ROUTE: _("This is not for you"),
}

# What an entry in the ledger records, said to the person it is about.
ENTRY_TITLES = {
    "disclosure": _("Information about you was shared"),
    "referral": _("The police told Immigration Enforcement that you are protected"),
    "clearance_decision": _("Immigration Enforcement asked if they could act"),
    "review_resolved": _("A protocol officer checked if a question was about you"),
    "override_requested": _("Immigration Enforcement asked to act even though you are protected"),
    "override_approved": _("A senior officer let Immigration Enforcement act"),
    "override_refused": _("A senior officer said Immigration Enforcement must not act"),
    "override_withdrawn": _(
        "Immigration Enforcement withdrew its request to act even though you are protected"
    ),
    "protection_opened": _("Your protection started"),
    "protection_status_changed": _("Your protection changed"),
    "protection_closed": _("Your protection was closed"),
    "case_event": _("Something happened in the police case"),
    "personal_data_read": _("Someone looked at your record"),
    "advice_issued": _("You were given an advice pack"),
    "letter_issued": _("You were given a protection letter"),
    "sar_export": _("A copy of your information was made"),
}
OTHER_ENTRY_TITLE = _("Something was recorded about you")

SHARED_WITH_OTHERS = frozenset(
    {
        "disclosure",
        "referral",
        "clearance_decision",
        "review_resolved",
        "override_requested",
        "override_approved",
        "override_refused",
        "override_withdrawn",
    }
)
"""Entries that record information about the person going to, or being asked for by, IE."""

PROTECTION_KINDS = frozenset(
    {
        "protection_opened",
        "protection_status_changed",
        "protection_closed",
        "letter_issued",
        "advice_issued",
    }
)
"""Entries about the protection itself: started, changed, closed, letters and packs given."""

ROUTINE_READ = "personal_data_read"
"""Routine reads of the record: shown folded, one line a day, never hidden."""

ENTRY_GROUP_HEADINGS = {
    "shared": _("Shared with Immigration Enforcement, or asked about you"),
    "protection": _("Your protection"),
    "other": _("Everything else in the record about you"),
}

DECISION_LABELS = {
    "blocked": _("They were told: this person is protected. Do not act."),
    "hold": _("They were told to wait while a protocol officer checks."),
    "clear": _("They were told this was not a protected person."),
}

ROLE_LABELS = {
    "police_officer": _("police officer"),
    "protocol_officer": _("protocol officer"),
    "ie_caseworker": _("Immigration Enforcement caseworker"),
    "ie_senior_approver": _("Immigration Enforcement senior officer"),
    "oversight_analyst": _("oversight body"),
    "advocate": _("support worker"),
    "administrator": _("administrator"),
}

# The fields a referral can carry (protocol/policy.py), as the person would say them.
FIELD_LABELS = {
    "given_names": _("your first names"),
    "family_name": _("your family name"),
    "aliases": _("other names you use"),
    "date_of_birth": _("your date of birth"),
    "sex": _("your sex"),
    "nationality": _("your nationality"),
    "passport_number": _("your passport number"),
    "home_office_reference": _("your Home Office reference number"),
    "role": _("that you are a victim or witness"),
    "protection_flag": _("that you are protected"),
    "crime_reference": _("the police crime number"),
    "offence_category": _("the kind of crime"),
    "crime_narrative": _("what happened to you"),
    "current_address": _("where you live"),
    "third_party_details": _("details about other people"),
}
SHARING_DETAIL_FIELDS = frozenset(
    {
        "force_code",
        "channel",
        "source_of_information",
        "lawful_basis",
        "gateway",
        "agreement_id",
        "dpia_version",
    }
)
SHARING_DETAILS_LABEL = _(
    "details about the sharing itself, such as which police force sent it "
    "and the law that allows it"
)


def field_labels(names) -> list[str]:
    """What a list of shared fields means to the person, in a fixed order, each once."""
    names = list(names)
    labels = [str(label) for name, label in FIELD_LABELS.items() if name in names]
    labels += [
        name.replace("_", " ")
        for name in names
        if name not in FIELD_LABELS and name not in SHARING_DETAIL_FIELDS
    ]
    if any(name in SHARING_DETAIL_FIELDS for name in names):
        labels.append(str(SHARING_DETAILS_LABEL))
    return labels


SHARED_LAYOUT_TEXTS = [
    gettext_noop("There is a problem"),
    gettext_noop("Error:"),
]
"""Words in the shared GOV.UK form templates (web/templates/web/forms/), kept in the
catalogue so those templates are translated as soon as they use ``{% translate %}``."""

# The enforcement actions blocked while someone is protected (protocol/enforcement_actions.toml),
# said plainly. An action added to that list later shows its English name until it is added here.
ACTION_PHRASES = {
    "immigration_arrest_or_detention": _("arrest you or hold you for immigration reasons"),
    "service_of_enforcement_papers": _("give you papers about removing you from the UK"),
    "reporting_or_residence_restrictions": _(
        "make new rules about where you live or when you must report to them"
    ),
    "removal_directions": _("set a date to send you out of the UK"),
    "deportation_steps": _("take steps to deport you"),
    "leave_cancellation_or_curtailment": _(
        "cancel your permission to stay because of what the police told them"
    ),
    "operational_visit": _("visit your home to take action against you"),
    "enforcement_tasking": _("pass your details to teams who take action against people"),
}
