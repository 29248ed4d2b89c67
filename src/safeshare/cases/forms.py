"""Forms for the police pages: cases, the people in them, case events.

Also the pieces every protocol page shares: the identity fields (validated by ``IdentityIn``, the
same model the API uses) and ``add_action_errors``, which puts an action's refusal into the GOV.UK
error summary.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from safeshare.cases.lifecycle import CaseEvent, InformationSource, OffenceCategory, PartyRole
from safeshare.cases.models import OFFENCE_LABELS, ROLE_LABELS
from safeshare.cases.modern_slavery import (
    NRM_CONSENT_LABELS,
    NRM_OUTCOME_LABELS,
    NRM_RECORD_LABELS,
    NRM_STAGE_LABELS,
    TRAFFICKING_INDICATORS,
)
from safeshare.kernel.identity import IDENTITY_FIELDS
from safeshare.kernel.wording import for_people
from safeshare.people.identity import IdentityIn, Sex
from safeshare.web.forms import GovukDateField

SEX_LABELS = {
    Sex.FEMALE: "Female",
    Sex.MALE: "Male",
    Sex.OTHER: "Other",
    Sex.UNKNOWN: "Not known",
}
SOURCE_LABELS = {
    InformationSource.POLICE: "The police",
    InformationSource.VICTIM: "The person themselves",
    InformationSource.ALLEGED_PERPETRATOR: "The alleged perpetrator or their associates",
    InformationSource.ANONYMOUS: "An anonymous source",
    InformationSource.OTHER_AGENCY: "Another agency",
    InformationSource.IMMIGRATION_RECORDS: "Immigration records",
}
IDENTITY_FIELD_NAMES = IDENTITY_FIELDS


def add_action_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show an action's ``ValidationError`` on the form: by field where it names one of the
    form's fields, otherwise at the top of the error summary."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            field = name if name in form.fields else None
            for message in messages:
                form.add_error(field, for_people(message))
        return
    for message in error.messages:
        form.add_error(None, for_people(message))


def posted_data(request: HttpRequest) -> QueryDict | None:
    """The submitted data for a POST (even an empty one, so it is validated), else None."""
    return request.POST if request.method == "POST" else None


class IdentityForm(forms.Form):
    """The canonical identity fields, checked by ``IdentityIn`` exactly as the API checks them."""

    given_names = forms.CharField(
        label="Given names",
        required=False,
        max_length=200,
        error_messages={"max_length": "Given names must be 200 characters or fewer"},
    )
    family_name = forms.CharField(
        label="Family name",
        required=False,
        max_length=200,
        error_messages={"max_length": "Family name must be 200 characters or fewer"},
    )
    aliases = forms.CharField(
        label="Other names or spellings (optional)",
        help_text="Put each name on its own line.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    date_of_birth = GovukDateField(
        label="Date of birth (optional)",
        help_text="For example, 27 3 1991. If only the year, or the month and year, are known, "
        "leave the rest blank.",
        required=False,
        partial=True,
    )
    sex = forms.ChoiceField(
        label="Sex (optional)",
        required=False,
        choices=[(sex.value, label) for sex, label in SEX_LABELS.items()],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select the person's sex from the list"},
    )
    nationality = forms.CharField(
        label="Nationality (optional)",
        help_text="For example, Bangladeshi or BGD.",
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-!-width-one-half"}),
    )
    passport_number = forms.CharField(
        label="Passport number (optional)",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
        error_messages={"max_length": "Passport number must be 30 characters or fewer"},
    )
    home_office_reference = forms.CharField(
        label="Home Office reference (optional)",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
        error_messages={"max_length": "Home Office reference must be 30 characters or fewer"},
    )

    identity: IdentityIn | None = None

    def clean(self) -> dict:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        if any(name in self.errors for name in IDENTITY_FIELD_NAMES):
            return cleaned
        data = {
            "given_names": cleaned.get("given_names", ""),
            "family_name": cleaned.get("family_name", ""),
            "aliases": [line for line in cleaned.get("aliases", "").splitlines() if line.strip()],
            "date_of_birth": cleaned.get("date_of_birth") or None,
            "sex": cleaned.get("sex") or None,
            "nationality": cleaned.get("nationality") or None,
            "passport_number": cleaned.get("passport_number") or None,
            "home_office_reference": cleaned.get("home_office_reference") or None,
        }
        try:
            self.identity = IdentityIn(**data)
        except PydanticValidationError as error:
            for problem in error.errors():
                location = problem.get("loc") or ()
                field = str(location[0]) if location else "given_names"
                if field not in self.fields:
                    field = "given_names"
                context = problem.get("ctx") or {}
                message = str(context.get("error") or problem.get("msg", "Check this field"))
                self.add_error(field, message.removeprefix("Value error, "))
        return cleaned

    def subject(self) -> dict[str, object]:
        """The identity as the canonical fields, for a clearance subject (as the API sends it)."""
        assert self.identity is not None
        return self.identity.model_dump(exclude_none=True, mode="json")


class CaseForm(forms.Form):
    crime_reference = forms.CharField(
        label="Crime reference",
        help_text="The force's crime reference number, for example 20/12345/26.",
        max_length=40,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the crime reference",
            "max_length": "Crime reference must be 40 characters or fewer",
        },
    )
    offence_category = forms.ChoiceField(
        label="What kind of crime is it?",
        choices=[(offence.value, label) for offence, label in OFFENCE_LABELS.items()],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what kind of crime it is",
            "invalid_choice": "Select what kind of crime it is from the list",
        },
    )
    counting_rules_code = forms.CharField(
        label="Home Office Counting Rules code (optional)",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
        error_messages={"max_length": "Counting rules code must be 10 characters or fewer"},
    )

    def clean_crime_reference(self) -> str:
        value = " ".join(self.cleaned_data["crime_reference"].split())
        if not value:
            raise ValidationError("Enter the crime reference")
        return value

    def clean_offence_category(self) -> OffenceCategory:
        return OffenceCategory(self.cleaned_data["offence_category"])


class PartyForm(IdentityForm):
    """Add a person to a case: who they are, their role, and whether they may be a migrant."""

    role = forms.ChoiceField(
        label="What is their role in the case?",
        choices=[(role.value, label) for role, label in ROLE_LABELS.items()],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the person's role in the case",
            "invalid_choice": "Select the person's role from the list",
        },
    )
    migrant = forms.BooleanField(
        label="This person may have insecure immigration status",
        help_text="Untick if the person is a British or Irish citizen or has settled status.",
        required=False,
        initial=True,
    )

    trafficking_indicators = forms.MultipleChoiceField(
        label="Did you see any signs of trafficking or modern slavery?",
        help_text="Select all that apply. Leave blank if you saw none.",
        choices=list(TRAFFICKING_INDICATORS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select the signs you saw from the list"},
    )
    nrm_consent = forms.ChoiceField(
        label="Does the person agree to be referred to the National Referral Mechanism?",
        help_text="Answer if you saw signs of trafficking or modern slavery.",
        choices=[(c.value, label) for c, label in NRM_CONSENT_LABELS.items()],
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select the person's answer from the list"},
    )

    field_order = [
        *IDENTITY_FIELDS,
        "role",
        "migrant",
        "trafficking_indicators",
        "nrm_consent",
    ]

    def clean_role(self) -> PartyRole:
        return PartyRole(self.cleaned_data["role"])


class CaseEventForm(forms.Form):
    """Record a case event. Only the events valid in the case's state are offered; any other is
    refused by the action with the lifecycle's reason."""

    event = forms.ChoiceField(
        label="What happened?",
        choices=[(event.value, event.label) for event in CaseEvent],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what happened",
            "invalid_choice": "Select what happened from the list",
        },
    )
    occurred_on = GovukDateField(
        label="When did it happen? (optional)",
        help_text="For example, 27 3 2026. Leave blank for today.",
        error_label="The date it happened",
        required=False,
    )

    def __init__(self, *args, allowed: frozenset[CaseEvent] = frozenset(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Offer only the valid events; accept any known event so the lifecycle can say why not.
        self.fields["event"].widget.choices = [
            (event.value, event.label) for event in CaseEvent if event in allowed
        ]

    def clean_event(self) -> CaseEvent:
        return CaseEvent(self.cleaned_data["event"])

    def clean_occurred_on(self) -> dt.date | None:
        value = self.cleaned_data.get("occurred_on")
        if value and value > timezone.localdate():
            raise ValidationError("The date must be today or in the past")
        return value


class NrmRecordForm(forms.Form):
    """The NRM referral or duty-to-notify report made for a person (R27). Whether it fits the
    person (their consent, their age) is checked by the action, which says why not."""

    prefix = "referral"
    kind = forms.ChoiceField(
        label="What was made?",
        choices=[(kind.value, label) for kind, label in NRM_RECORD_LABELS.items()],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether you made a referral or a duty to notify report",
            "invalid_choice": "Choose whether you made a referral or a duty to notify report",
        },
    )
    made_on = GovukDateField(
        label="When was it made?",
        help_text="For example, 27 3 2026.",
        error_label="The date it was made",
    )
    first_responder = forms.CharField(
        label="First responder organisation (for a referral)",
        help_text="For example, West Midlands Police or the Salvation Army.",
        required=False,
        max_length=200,
        error_messages={
            "max_length": "The first responder organisation must be 200 characters or fewer"
        },
    )
    reference = forms.CharField(
        label="Reference (optional for a referral)",
        help_text="The NRM reference, if you were given one, or the Home Office's reference "
        "for a duty to notify report.",
        required=False,
        max_length=64,
        error_messages={"max_length": "The reference must be 64 characters or fewer"},
    )


class NrmDecisionForm(forms.Form):
    """A decision of the National Referral Mechanism (R27)."""

    prefix = "decision"
    stage = forms.ChoiceField(
        label="Which decision?",
        choices=[(stage.value, label) for stage, label in NRM_STAGE_LABELS.items()],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a reasonable grounds or a conclusive grounds decision",
            "invalid_choice": "Choose a reasonable grounds or a conclusive grounds decision",
        },
    )
    outcome = forms.ChoiceField(
        label="What was decided?",
        choices=[(outcome.value, label) for outcome, label in NRM_OUTCOME_LABELS.items()],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether the decision was positive or negative",
            "invalid_choice": "Choose whether the decision was positive or negative",
        },
    )
    decided_on = GovukDateField(
        label="Date of the decision",
        help_text="For example, 27 3 2026.",
        error_label="The date of the decision",
    )
