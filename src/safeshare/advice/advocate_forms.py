"""The form for a person's consent that an advocate may see their protection."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safeshare.accounts.models import Organisation, User
from safeshare.cases.forms import GovukDateField
from safeshare.kernel.roles import OrganisationKind, Role
from safeshare.notifications.actions import phone_ok
from safeshare.notifications.models import AdvocateConsent


class AdvocateConsentForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Support organisation",
        queryset=Organisation.objects.none(),
        empty_label="Select the organisation",
        error_messages={
            "required": "Select the support organisation the person chose",
            "invalid_choice": "Select the support organisation the person chose",
        },
    )
    advocate = forms.ModelChoiceField(
        label="Named advocate (optional)",
        help_text="Leave empty to let any advocate of the organisation see it.",
        queryset=User.objects.none(),
        required=False,
        empty_label="Any advocate of the organisation",
        error_messages={"invalid_choice": "Select an advocate from the list"},
    )
    share_notices = forms.BooleanField(
        label="The advocate may see the notices sent to the person", required=False
    )
    share_advice = forms.BooleanField(
        label="The advocate may see and download the person's advice", required=False
    )
    notice_channel = forms.ChoiceField(
        label="Should the advocate be sent the person's notices, as their representative?",
        choices=AdvocateConsent.NoticeChannel.choices,
        widget=forms.RadioSelect,
        initial=AdvocateConsent.NoticeChannel.NONE,
        error_messages={"required": "Select how the advocate should get notices, or none"},
    )
    notice_address = forms.CharField(
        label="The advocate's email address or mobile number",
        required=False,
        max_length=254,
    )
    valid_until = GovukDateField(
        label="Consent ends on (optional)",
        help_text="For example, 31/3/2027. Leave empty if the person gave no end date.",
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            kind=OrganisationKind.SUPPORT_ORGANISATION.value
        ).order_by("name")
        self.fields["advocate"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            role=Role.ADVOCATE.value, is_active=True
        ).order_by("last_name", "first_name")
        self.fields["advocate"].label_from_instance = (  # type: ignore[attr-defined]
            lambda user: f"{user.get_full_name() or user.username} ({user.organisation.name})"
        )


class VictimAdvocateConsentForm(AdvocateConsentForm):
    """The same consent, asked of the person themselves, in their words."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            "organisation": _("Your support organisation"),
            "advocate": _("Your support worker (optional)"),
            "share_notices": _("They may see the messages we send you"),
            "share_advice": _("They may see and download your advice"),
            "notice_channel": _("Should we also send your messages to them?"),
            "notice_address": _("Their email address or mobile number"),
            "valid_until": _("Your consent ends on (optional)"),
        }
        for name, label in labels.items():
            self.fields[name].label = label
        self.fields["advocate"].help_text = _(
            "Leave this empty to let anyone at the organisation see it."
        )
        self.fields["valid_until"].help_text = _(
            "For example, 31/3/2027. Leave it empty to keep it until you withdraw it."
        )
        self.fields["notice_channel"].choices = [  # type: ignore[attr-defined]
            ("none", _("No")),
            ("email", _("Yes, by email")),
            ("sms", _("Yes, by text message")),
        ]
        self.fields["organisation"].empty_label = _("Choose your support organisation")  # type: ignore[attr-defined]
        self.fields["advocate"].empty_label = _("Anyone at the organisation")  # type: ignore[attr-defined]
        choose = _("Choose your support organisation")
        self.fields["organisation"].error_messages.update(
            {"required": choose, "invalid_choice": choose}
        )
        self.fields["advocate"].error_messages["invalid_choice"] = _(
            "Choose a support worker from the list"
        )
        self.fields["notice_channel"].error_messages.update(
            {
                "required": _("Say whether we should also send your messages to them"),
                "invalid_choice": _("Say whether we should also send your messages to them"),
            }
        )

    def clean(self) -> dict:
        """The person's own words for what is wrong, checked before the action checks again
        (its messages are for staff, in English)."""
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        if "valid_until" in self.errors:
            self.errors["valid_until"] = self.error_class(
                [str(_("Enter the date your consent ends as numbers, like 31/3/2027"))]
            )
        until = cleaned.get("valid_until")
        if until is not None and until < timezone.localdate():
            self.add_error("valid_until", _("The date your consent ends must be today or later"))
        channel = cleaned.get("notice_channel")
        address = (cleaned.get("notice_address") or "").strip()
        if channel == "email":
            try:
                validate_email(address)
            except ValidationError:
                self.add_error(
                    "notice_address", _("Enter their email address, like name@example.org")
                )
        elif channel == "sms" and not phone_ok(address):
            self.add_error("notice_address", _("Enter their mobile number, like 07700 900 982"))
        return cleaned


class SubjectAccessAskForm(forms.Form):
    """The advocate says the person asked for this: a request on their behalf, not for oneself."""

    person_asked = forms.BooleanField(
        label="The person asked me to request a copy of their information",
        error_messages={"required": "Confirm that the person asked you to request this"},
    )
