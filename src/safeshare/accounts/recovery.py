"""Recovery of the second factor by an administrator (docs/security.md, "Two-step sign-in").

Someone who has lost their phone or security key asks their organisation's administrator, who
checks who is asking and resets their two-step sign-in: the authenticator-app secret and every
passkey are removed and every session they have open is ended, so the person must set one up
again at their next sign-in (the password alone never signs anyone in). The reset is recorded
on the ledger (a ``second_factor_reset`` entry, through ``kernel.hooks``) with the administrator
as its actor, and the account holder gets a security notice. An administrator cannot reset
their own second factor, nor someone's in another organisation.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from safeshare.accounts import lockout
from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Passkey, User
from safeshare.kernel import hooks
from safeshare.kernel.roles import Role
from safeshare.kernel.transactions import action_transaction

RESET_NOTICE = (
    "An administrator reset your two-step sign-in on {when}. Set it up again when you next sign "
    "in. If you did not ask for this, tell your organisation's administrator straight away."
)


def end_sessions(user: User) -> int:
    """Sign ``user`` out everywhere: delete every open session of theirs. Whoever holds their
    lost phone or key, or a session on a shared computer, must sign in again from the start."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def do_reset_second_factor(user: User, actor: Actor) -> None:
    """Remove ``user``'s second factors, record it on the ledger and tell them."""
    if actor.role is not Role.ADMINISTRATOR or actor.user is None:
        raise PermissionDenied("Only an administrator can reset two-step sign-in.")
    if actor.user.pk == user.pk:
        raise ValidationError("Ask another administrator to reset your own two-step sign-in")
    if user.organisation_id != actor.organisation.pk:
        raise ValidationError("No one in your organisation has that email address")
    with action_transaction():
        User.objects.filter(pk=user.pk).update(totp_secret="", totp_confirmed=False)
        Passkey.objects.filter(user=user).delete()
        end_sessions(user)
        hooks.fire(hooks.SECOND_FACTOR_RESET, user, actor)
    user.totp_secret, user.totp_confirmed = "", False
    when = date_format(timezone.localtime(), r"j F Y \a\t H:i")
    lockout.do_notify_account_holder(user, RESET_NOTICE.format(when=when))


class ResetForm(forms.Form):
    email = forms.EmailField(
        label="Email address of the person",
        error_messages={
            "required": "Enter the email address of the person whose two-step sign-in to reset",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    checked = forms.BooleanField(
        label="I have checked that the person asking is the account holder",
        error_messages={
            "required": "Confirm that you have checked that the person asking is the account "
            "holder"
        },
    )

    def __init__(self, *args, administrator: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.administrator = administrator
        self.user: User | None = None

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        self.user = User.objects.filter(
            email__iexact=email, organisation=self.administrator.organisation
        ).first()
        if self.user is None:
            raise ValidationError("No one in your organisation has that email address")
        if self.user.pk == self.administrator.pk:
            raise ValidationError("Ask another administrator to reset your own two-step sign-in")
        return email
