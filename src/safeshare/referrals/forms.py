"""The form a police officer fills in before a referral to Immigration Enforcement is previewed."""

from __future__ import annotations

from django import forms

from safeshare.accounts.models import Organisation
from safeshare.cases.forms import SOURCE_LABELS
from safeshare.protocol.referral import ReferralTrigger
from safeshare.referrals.models import Referral

WEB_CHANNELS = [(channel.value, channel.label) for channel in Referral.Channel if channel != "api"]


class ReferralForm(forms.Form):
    triggers = forms.MultipleChoiceField(
        label="Why is the referral needed?",
        help_text="Select all that apply.",
        choices=[(trigger.value, trigger.label) for trigger in ReferralTrigger],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select why the referral is needed",
            "invalid_choice": "Select why the referral is needed from the list",
        },
    )
    channel = forms.ChoiceField(
        label="How will it be sent?",
        choices=WEB_CHANNELS,
        widget=forms.RadioSelect,
        initial=Referral.Channel.WEB.value,
        error_messages={
            "required": "Select how the referral will be sent",
            "invalid_choice": "Select how the referral will be sent from the list",
        },
    )
    source_of_information = forms.ChoiceField(
        label="Where did the information about the person's immigration status come from?",
        choices=[(source.value, label) for source, label in SOURCE_LABELS.items()],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select where the information came from",
            "invalid_choice": "Select one of the sources listed",
        },
    )
    agreement = forms.ChoiceField(
        label="Data-sharing agreement",
        help_text="The agreement your force shares under. It sets the legal basis the "
        "referral records.",
        choices=[],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the data-sharing agreement the referral is sent under",
            "invalid_choice": "Select one of your force's data-sharing agreements",
        },
    )

    def __init__(self, *args, force: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from safeshare.referrals.agreements import active_agreements

        self.agreements = list(active_agreements(force))
        self.fields["agreement"].choices = [  # type: ignore[attr-defined]
            (a.slug, f"{a.name} ({a.reference})") for a in self.agreements
        ]

    @staticmethod
    def defaults_for(force: Organisation) -> dict[str, object]:
        """The usual channel and, when the force has only one, its agreement."""
        from safeshare.referrals.agreements import active_agreements

        initial: dict[str, object] = {"channel": Referral.Channel.WEB.value}
        agreements = list(active_agreements(force)[:2])
        if len(agreements) == 1:
            initial["agreement"] = agreements[0].slug
        return initial


class SendReferralForm(forms.Form):
    """No fields: the officer confirms the previewed referral. Carries the action's errors."""


YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        error_messages={
            "required": f"Select yes or no: {label[0].lower()}{label[1:].rstrip('?')}",
            "invalid_choice": "Select yes or no",
        },
    )


class ConsentForm(forms.Form):
    """The person's answer when asked whether their details may be shared with IE."""

    answer = forms.ChoiceField(
        label="What did the person answer?",
        choices=[("given", "They gave consent"), ("refused", "They refused")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what the person answered",
            "invalid_choice": "Select what the person answered",
        },
    )
    agreed_fields = forms.MultipleChoiceField(
        label="What did they agree to share?",
        help_text="Only these are sent. Select all they agreed to (none if they refused).",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select what they agreed to share from the list"},
    )
    language = forms.CharField(
        label="Which language were they asked in?",
        max_length=60,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
        error_messages={
            "required": "Enter the language the person was asked in",
            "max_length": "The language must be 60 characters or fewer",
        },
    )
    interpreter_used = _yes_no("Was an interpreter used?")
    suspect_present = _yes_no(
        "Was the suspect, or anyone connected to them, present?",
        "If so, the consent is recorded as possibly not freely given, and nothing is shared.",
    )
    own_words = forms.CharField(
        label="Their own words (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Their words must be 2,000 characters or fewer"},
    )

    def __init__(self, *args, field_labels: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        agreed = self.fields["agreed_fields"]
        assert isinstance(agreed, forms.MultipleChoiceField)
        agreed.choices = list(field_labels.items())


class ConsentChangeForm(forms.Form):
    """A withdrawal, or an officer's doubt that consent was freely given."""

    consent = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": "Choose a consent"}
    )
    words = forms.CharField(
        label="Their words, or your reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "This must be 2,000 characters or fewer"},
    )
