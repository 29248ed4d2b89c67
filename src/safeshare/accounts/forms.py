"""Sign-in and second-factor forms."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.utils import formats, timezone

from safeshare.accounts import actions
from safeshare.accounts.models import User

BAD_CREDENTIALS = "Enter a correct email address and password"


def locked_message(user: User) -> str:
    until = formats.time_format(timezone.localtime(user.locked_until), "g:i a")
    return (
        "Your account is locked because of too many failed sign-in attempts. "
        f"Try again after {until}, or ask your administrator to unlock it."
    )


class SignInForm(forms.Form):
    """Email address and password. Repeated failures lock the account."""

    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User | None = None

    def clean(self):
        cleaned = super().clean()
        email, password = cleaned.get("email"), cleaned.get("password")
        if not email or not password:
            return cleaned
        candidate = User.objects.filter(email__iexact=email).first()
        if candidate is not None and candidate.is_locked():
            raise forms.ValidationError(locked_message(candidate), code="locked")
        user = authenticate(
            self.request, username=candidate.email if candidate else email, password=password
        )
        if user is None:
            if candidate is not None:
                candidate = actions.do_record_failed_sign_in(candidate)
                if candidate.is_locked():
                    raise forms.ValidationError(locked_message(candidate), code="locked")
            raise forms.ValidationError(BAD_CREDENTIALS, code="invalid_login")
        if not user.is_active:
            raise forms.ValidationError(BAD_CREDENTIALS, code="inactive")
        self.user = user
        return cleaned


class SecondFactorForm(forms.Form):
    """The six-digit code from an authenticator app."""

    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code shown in your authenticator app.",
        max_length=10,
        error_messages={"required": "Enter the security code"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "govuk-input--width-5",
                "spellcheck": "false",
            }
        ),
    )

    def __init__(self, *args, secret: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.secret = secret

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if not actions.totp_code_is_valid(self.secret, code):
            raise forms.ValidationError("The security code is not correct or has expired")
        return code
