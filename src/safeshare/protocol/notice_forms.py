"""The form for how and when notices may safely reach a protected person (R28, R29): the same
settings the API records (``POST /protections/{reference}/contact-settings``)."""

from __future__ import annotations

from django import forms
from django.conf import settings

from safeshare.notifications.models import Channel

YES, NO, NOT_KNOWN = "yes", "no", "not_known"

CHANNEL_CHOICES = [
    (Channel.EMAIL.value, "Email"),
    (Channel.SMS.value, "Text message"),
    (Channel.LETTER.value, "Letter"),
    (Channel.NONE.value, "Do not send notices: the person asked not to be contacted"),
]


class ReachSettingsForm(forms.Form):
    channel = forms.ChoiceField(
        label="How may notices reach the person?",
        choices=CHANNEL_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how notices may reach the person"},
    )
    email = forms.CharField(label="Safe email address", required=False, max_length=254)
    phone = forms.CharField(label="Safe mobile phone number", required=False, max_length=40)
    postal_address = forms.CharField(
        label="Safe postal address",
        required=False,
        max_length=500,
        help_text="Up to 7 lines. Letters go in a windowed envelope.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    address_shared_with_perpetrator = forms.ChoiceField(
        label="Does the person share this postal address with the alleged perpetrator?",
        help_text="If they do, or you do not know, no letter is ever sent there.",
        choices=[(YES, "Yes"), (NO, "No"), (NOT_KNOWN, "Not known")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether the address is shared with the alleged perpetrator"
        },
    )
    channel_unsafe = forms.BooleanField(
        label="This way of contacting them is not safe now",
        help_text="For example, the alleged perpetrator may see the phone or the inbox. "
        "Nothing is sent until you change it, and the protocol officer sees why.",
        required=False,
    )
    safe_from = forms.TimeField(
        label="Safe from (UK time)",
        required=False,
        help_text="Like 09:00. Leave both times empty if any time is safe.",
        error_messages={"invalid": "Enter the time safe from like 09:00"},
    )
    safe_until = forms.TimeField(
        label="Safe until (UK time)",
        required=False,
        help_text="Like 17:00",
        error_messages={"invalid": "Enter the time safe until like 17:00"},
    )
    language = forms.ChoiceField(
        label="Which language does the person want to read?",
        choices=[(code, name) for code, name in settings.LANGUAGES],
        error_messages={"invalid_choice": "Choose a language from the list"},
    )
    case_updates = forms.BooleanField(
        label="The person asked to be told about updates in their case",
        required=False,
    )

    def action_values(self) -> dict:
        """The cleaned values, as ``do_record_contact_settings`` takes them."""
        data = dict(self.cleaned_data)
        data["address_shared_with_perpetrator"] = data["address_shared_with_perpetrator"] != NO
        return data

    @classmethod
    def initial_from(cls, current) -> dict:
        if current is None:
            return {"language": "en"}
        return {
            "channel": current.channel,
            "email": current.email,
            "phone": current.phone,
            "postal_address": current.postal_address,
            "address_shared_with_perpetrator": YES
            if current.address_shared_with_perpetrator
            else NO,
            "channel_unsafe": current.channel_unsafe,
            "safe_from": current.safe_from,
            "safe_until": current.safe_until,
            "language": current.language,
            "case_updates": current.case_updates,
        }
