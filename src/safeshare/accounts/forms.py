"""Sign-in and second-factor forms."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate

from safeshare.accounts import actions, lockout
from safeshare.accounts.models import User

BAD_CREDENTIALS = "Enter a correct email address and password"


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
        """The same answers whether or not the email address has an account: a lock (per
        account and per address, ``safeshare.accounts.lockout``) or "enter a correct email
        address and password"."""
        cleaned = super().clean()
        email, password = cleaned.get("email"), cleaned.get("password")
        if not email or not password:
            return cleaned
        lock = lockout.sign_in_lock(self.request, email)
        if lock is not None:
            raise forms.ValidationError(lock.message, code="locked")
        candidate = User.objects.filter(email__iexact=email).first()
        user = authenticate(
            self.request, username=candidate.email if candidate else email, password=password
        )
        if user is None or not user.is_active:
            lock = lockout.do_record_failed_sign_in(self.request, email)
            if lock is not None:
                raise forms.ValidationError(lock.message, code="locked")
            raise forms.ValidationError(BAD_CREDENTIALS, code="invalid_login")
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

    def __init__(self, *args, user: User | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_code(self) -> str:
        """Each code is good once (``actions.do_use_totp_code``)."""
        code = self.cleaned_data["code"]
        if self.user is None or not actions.do_use_totp_code(self.user, code):
            raise forms.ValidationError(
                "The security code is not correct, has expired or was used already"
            )
        return code
