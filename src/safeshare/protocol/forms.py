"""Forms for protections, clearances, reviews of possible matches and overrides."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from safeshare.cases.forms import SOURCE_LABELS, GovukDateField, IdentityForm
from safeshare.cases.lifecycle import InformationSource, RegularisationStatus
from safeshare.kernel.identity import IDENTITY_FIELDS
from safeshare.protocol.clearance import describe_requests, missing_for_search
from safeshare.protocol.enforcement import enforcement_actions
from safeshare.protocol.models import Review
from safeshare.protocol.policy import ExceptionCategory, Policy

REGULARISATION_LABELS = {
    RegularisationStatus.NONE: "No immigration advice or application yet",
    RegularisationStatus.ADVICE_RECEIVED: "Has had immigration advice",
    RegularisationStatus.APPLICATION_PENDING: "Has applied to stay and is waiting for a decision",
    RegularisationStatus.DECIDED_GRANT: "Permission to stay granted",
    RegularisationStatus.DECIDED_REFUSE: "Application refused",
    RegularisationStatus.APPEAL_PENDING: "Appealing a refusal",
}
NRM_STAGE_LABELS = {
    "referred": "Referred to the National Referral Mechanism",
    "positive_reasonable_grounds": "Positive reasonable grounds decision",
    "positive_conclusive_grounds": "Positive conclusive grounds decision",
    "negative": "Negative decision",
}


def _reasons(label: str, required_message: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": required_message,
            "max_length": "Reasons must be 4,000 characters or fewer",
        },
    )


class ClearanceForm(IdentityForm):
    """IE asks before an enforcement action. The subject is IE's own identity data."""

    action = forms.ChoiceField(
        label="What action do you want to take?",
        error_messages={
            "required": "Select the action you want to take",
            "invalid_choice": "Select an action from the list",
        },
    )
    information_sources = forms.MultipleChoiceField(
        label="Where did the information behind this action come from?",
        help_text="Select all that apply.",
        choices=[(source.value, label) for source, label in SOURCE_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select where the information behind this action came from",
            "invalid_choice": "Select one of the sources listed",
        },
    )
    scheduled_for = GovukDateField(
        label="When is the action planned? (optional)",
        help_text="For example, 27 3 2026.",
        error_label="The planned date",
        required=False,
    )

    field_order = [
        "action",
        *IDENTITY_FIELDS,
        "information_sources",
        "scheduled_for",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # ``fields`` is typed as plain ``Field``s; this one is a choice field.
        self.fields["action"].choices = [("", "Select an action")] + [  # type: ignore[attr-defined]
            (action.code, action.name) for action in enforcement_actions().actions
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        aliases = cleaned.get("aliases") or ""
        if isinstance(aliases, list | tuple):
            aliases = " ".join(aliases)
        needed = missing_for_search(
            f"{cleaned.get('given_names') or ''} {aliases}",
            cleaned.get("family_name"),
            str(cleaned.get("date_of_birth") or ""),
            cleaned.get("passport_number"),
            cleaned.get("home_office_reference"),
        )
        if needed:
            raise ValidationError(
                "There is not enough about the subject to search the register, so no decision "
                f"can be given. Add {describe_requests(needed)}"
            )
        return cleaned

    def clean_information_sources(self) -> list[InformationSource]:
        return [InformationSource(value) for value in self.cleaned_data["information_sources"]]

    def clean_scheduled_for(self) -> dt.date | None:
        value = self.cleaned_data.get("scheduled_for")
        if value and value < timezone.localdate():
            raise ValidationError("The planned date must be today or in the future")
        return value


class OverrideRequestForm(forms.Form):
    """Ask to act despite a block, under one of the active policy's named exceptions."""

    category = forms.ChoiceField(
        label="Which exception applies?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the exception that applies",
            "invalid_choice": "Select an exception from the list",
        },
    )
    reasons = _reasons(
        "Why should the block be set aside?",
        "Explain why the block should be set aside",
    )
    offence_code = forms.CharField(
        label="Offence code (optional)",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
        error_messages={"max_length": "Offence code must be 60 characters or fewer"},
    )
    offence_description = forms.CharField(
        label="Offence the person is suspected of, charged with or convicted of (optional)",
        help_text="Offences about a person's own immigration status, such as illegal entry, "
        "overstaying or working illegally, never ground an override.",
        required=False,
        max_length=300,
        error_messages={"max_length": "Offence description must be 300 characters or fewer"},
    )
    offence_linked_to_public_protection = forms.BooleanField(
        label="The offence is linked to public protection", required=False
    )
    offence_convicted = forms.BooleanField(
        label="The person has been convicted of the offence", required=False
    )
    modern_slavery_indicators = forms.BooleanField(
        label="There are indicators that the person is a victim of modern slavery",
        help_text="The approver will be asked to consider the statutory defence.",
        required=False,
    )

    def __init__(self, *args, policy: Policy, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.policy = policy
        # ``fields`` is typed as plain ``Field``s; this one is a choice field.
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            (category.value, category.label) for category in policy.overrides.exception_categories
        ]
        minimum = policy.overrides.minimum_reason_length
        self.fields["reasons"].help_text = f"Write at least {minimum} characters."

    def clean_category(self) -> ExceptionCategory:
        return ExceptionCategory(self.cleaned_data["category"])

    def clean(self) -> dict:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        code = cleaned.get("offence_code", "").strip()
        description = cleaned.get("offence_description", "").strip()
        flags = cleaned.get("offence_linked_to_public_protection") or cleaned.get(
            "offence_convicted"
        )
        if (code or flags) and not description:
            self.add_error("offence_description", "Describe the offence")
        if description and not code:
            self.add_error("offence_code", "Enter the offence code")
        return cleaned

    def suspected_offence(self) -> dict[str, object] | None:
        data = self.cleaned_data
        if not data.get("offence_description", "").strip():
            return None
        return {
            "code": data["offence_code"].strip(),
            "description": data["offence_description"].strip(),
            "linked_to_public_protection": data["offence_linked_to_public_protection"],
            "convicted": data["offence_convicted"],
        }


class ReviewDecisionForm(forms.Form):
    verdict = forms.ChoiceField(
        label="Is the subject the protected person?",
        choices=Review.Verdict.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the subject is the protected person",
            "invalid_choice": "Select whether the subject is the protected person",
        },
    )
    reasons = _reasons(
        "Reasons for your decision",
        "Explain your decision",
        "Say which details agree or disagree. Immigration Enforcement does not see this.",
    )


class OverrideDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Do you approve the override?",
        choices=[("approve", "Approve: the action may go ahead"), ("refuse", "Refuse")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether you approve the override",
            "invalid_choice": "Select whether you approve the override",
        },
    )
    reasons = _reasons("Reasons for your decision", "Explain your decision")
    statutory_defence_considered = forms.BooleanField(
        label="I have considered whether the modern slavery statutory defence applies",
        required=False,
    )

    def __init__(
        self, *args, statutory_defence: bool, law: str = "", can_approve: bool = True, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        if not can_approve:
            # The protocol custodian has yet to rule on the subject: refusing is all there is.
            decision = self.fields["decision"]
            assert isinstance(decision, forms.ChoiceField)
            decision.label = "Do you refuse the override?"
            decision.choices = [("refuse", "Refuse")]
            decision.error_messages = {
                "required": "Select Refuse to refuse the override now",
                "invalid_choice": (
                    "You cannot approve the override until the protocol custodian has ruled"
                ),
            }
        if statutory_defence:
            self.fields["statutory_defence_considered"].help_text = law
        else:
            del self.fields["statutory_defence_considered"]


class RegularisationForm(forms.Form):
    status = forms.ChoiceField(
        label="Where does the person stand in regularising their immigration status?",
        choices=[(status.value, label) for status, label in REGULARISATION_LABELS.items()],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select where the person stands",
            "invalid_choice": "Select where the person stands from the list",
        },
    )

    def clean_status(self) -> RegularisationStatus:
        return RegularisationStatus(self.cleaned_data["status"])


class NrmDecisionForm(forms.Form):
    stage = forms.ChoiceField(
        label="What is the National Referral Mechanism decision?",
        choices=list(NRM_STAGE_LABELS.items()),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the decision",
            "invalid_choice": "Select the decision from the list",
        },
    )


class CloseProtectionForm(forms.Form):
    reasons = _reasons(
        "Why are you closing the protection?",
        "Explain why you are closing the protection",
    )
    victim_notified = forms.BooleanField(
        label="The person and their representative have been sent the end-of-protection "
        "notice in their language",
        required=False,
    )


class WithdrawOverrideForm(forms.Form):
    """The unit that asked for an override withdraws it before it is decided."""

    reasons = _reasons(
        "Why are you withdrawing the request?",
        "Explain why you are withdrawing the request",
        "For example, the action is no longer needed.",
    )
