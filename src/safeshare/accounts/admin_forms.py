"""Forms of the administration pages (``admin_views``)."""

from __future__ import annotations

from django import forms

from safeshare.accounts.administration import JURISDICTIONS
from safeshare.kernel.contact import LABELS, ContactPoint, contact_problems
from safeshare.kernel.dates import GovukDateField
from safeshare.kernel.roles import OrganisationKind, Role, Scope


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter the email address of the person to invite",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[(r.value, r.label) for r in Role],
        error_messages={"required": "Choose a role", "invalid_choice": "Choose a role"},
    )

    def __init__(self, *args, roles: list[Role] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if roles is not None:
            self.fields["role"].choices = [(r.value, r.label) for r in roles]  # type: ignore[attr-defined]


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    password = forms.CharField(
        label="Choose a password",
        help_text="At least 12 characters. A few unrelated words are easy to remember.",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Choose a password"},
    )
    password_again = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the password again"},
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") != data.get("password"):
            self.add_error("password_again", "The passwords do not match")
        return data


class OrganisationForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=32, error_messages={"required": "Enter a short code"}
    )
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter a name"}
    )
    kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=[(k.value, k.label) for k in OrganisationKind],
        error_messages={"required": "Choose a kind", "invalid_choice": "Choose a kind"},
    )
    official_code = forms.CharField(
        label="Official force code",
        help_text="Police forces only: the Home Office force number, for example 20.",
        max_length=16,
        required=False,
    )
    jurisdiction = forms.ChoiceField(label="Jurisdiction", choices=list(JURISDICTIONS.items()))
    contact_point = forms.CharField(label="Contact point", max_length=200, required=False)


class ContactPointForm(forms.Form):
    """The organisation's contact point (ADR 0053): shown to Immigration Enforcement on every
    answer naming one of its protections, on protection letters and on victims' pages."""

    team = forms.CharField(
        label="Team name",
        help_text="The team Immigration Enforcement and victims should contact, for example "
        "West Midlands Police protocol desk.",
        required=False,
    )
    telephone = forms.CharField(
        label="Telephone",
        help_text="For international numbers include the country code.",
        required=False,
    )
    email = forms.CharField(label="Email address", required=False)
    hours = forms.CharField(
        label="Opening hours",
        help_text="For example, Monday to Friday, 8am to 6pm.",
        required=False,
    )
    out_of_hours = forms.CharField(
        label="Out of hours",
        help_text="What to do when the team is closed, for example call 101 and ask for the "
        "duty inspector.",
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        contact = ContactPoint(**{name: cleaned.get(name, "").strip() for name in LABELS})
        for field, problem in contact_problems(contact).items():
            self.add_error(field, problem)
        cleaned["contact"] = contact
        return cleaned


class TokenForm(forms.Form):
    name = forms.CharField(
        label="What the token is for",
        max_length=100,
        error_messages={"required": "Enter what the token is for"},
    )
    role = forms.ChoiceField(label="Role the token acts with", choices=[])
    scopes = forms.MultipleChoiceField(
        label="Scopes",
        help_text="Leave empty for all of the role's scopes.",
        choices=[(s.value, s.value) for s in Scope],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    system_name = forms.CharField(
        label="System the token is for",
        max_length=100,
        error_messages={"required": "Enter the name of the system"},
    )
    expires_on = GovukDateField(
        label="Expiry date (optional)",
        help_text="For example, 31 12 2026. Leave empty for the usual 90 days.",
        required=False,
    )

    def __init__(self, *args, roles: list[Role], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]  # type: ignore[attr-defined]


class WebhookForm(forms.Form):
    name = forms.CharField(
        label="Name of the receiving system",
        max_length=100,
        error_messages={"required": "Enter the name of the receiving system"},
    )
    url = forms.CharField(
        label="Address to send events to",
        help_text="An https address, for example https://records.force.police.uk/safeshare",
        max_length=500,
        error_messages={"required": "Enter the address to send events to"},
    )
    events = forms.MultipleChoiceField(
        label="Events to send",
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one event",
            "invalid_choice": "Choose events from the list",
        },
    )

    def __init__(self, *args, events: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = list(events.items())  # type: ignore[attr-defined]
