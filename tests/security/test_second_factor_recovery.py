"""Recovery of the second factor by an administrator: the person's app secret and passkeys go,
the ledger records the reset with the administrator as actor, the person is told and must set
up two-step sign-in again at their next sign-in; only a fresh sign-in may reset, never one's own
and never someone in another organisation."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeshare.accounts import actions
from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Passkey, SecurityNotice, User
from safeshare.accounts.recovery import do_reset_second_factor
from safeshare.accounts.views import SIGNED_IN_AT_KEY
from safeshare.kernel.roles import Role
from safeshare.ledger.models import LedgerEntry
from tests.accounts.factories import DEFAULT_PASSWORD, make_user, organisation_for

pytestmark = pytest.mark.django_db
URL = "/administration/two-step-sign-in/"


def enrolled(role: Role, organisation=None) -> User:
    user = make_user(role, organisation)
    secret = actions.do_start_totp_enrolment(user)
    assert actions.do_confirm_totp_enrolment(
        user, pyotp.TOTP(secret).at(timezone.now(), counter_offset=-1)
    )
    Passkey.objects.create(user=user, name="Key", credential_id=f"cred-{user.pk}", public_key=b"k")
    return user


def administrator_client(organisation, *, fresh: bool = True) -> tuple[Client, User]:
    administrator = make_user(Role.ADMINISTRATOR, organisation)
    client = Client()
    client.force_login(administrator)
    if fresh:
        session = client.session
        session[SIGNED_IN_AT_KEY] = time.time()
        session.save()
    return client, administrator


def resets() -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(kind="second_factor_reset").order_by("id"))


def test_an_administrator_resets_someones_second_factor_and_the_ledger_records_it():
    assert reverse("accounts:second-factor-reset") == URL
    force = organisation_for(Role.POLICE_OFFICER)
    officer = enrolled(Role.POLICE_OFFICER, force)
    client, _ = administrator_client(force)
    response = client.post(URL, {"email": officer.email, "checked": "on"})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.totp_secret, officer.totp_confirmed) == ("", False)
    assert not Passkey.objects.filter(user=officer).exists()
    (entry,) = resets()
    assert entry.draft["actor_role"] == "administrator"
    assert entry.draft["actor_org"] == force.code
    assert officer.email not in str(entry.draft)
    from safeshare.ledger import service

    service.sequence_pending()
    service.make_checkpoint()
    entry.refresh_from_db()
    assert entry.index is not None
    assert service.verify_database(check_content=True).ok
    notice = SecurityNotice.objects.get(user=officer)
    assert "An administrator reset your two-step sign-in" in notice.message

    # At the next sign-in the password alone does not sign in: they set up a second factor.
    fresh = Client()
    response = fresh.post(
        reverse("accounts:sign-in"), {"email": officer.email, "password": DEFAULT_PASSWORD}
    )
    assert response["Location"] == reverse("accounts:second-factor-enrol")
    assert "_auth_user_id" not in fresh.session
    assert fresh.get(reverse("accounts:second-factor-enrol")).status_code == 200


def test_a_reset_signs_the_person_out_of_every_open_session():
    force = organisation_for(Role.POLICE_OFFICER)
    officer = enrolled(Role.POLICE_OFFICER, force)
    bystander = enrolled(Role.POLICE_OFFICER, force)
    sessions = []
    for user in (officer, officer, bystander):
        signed_in = Client()
        signed_in.force_login(user)
        assert signed_in.get(reverse("web:home")).status_code == 200
        sessions.append(signed_in)
    client, _ = administrator_client(force)
    client.post(URL, {"email": officer.email, "checked": "on"})
    for signed_out in sessions[:2]:
        assert signed_out.get(reverse("web:home"))["Location"].startswith(
            reverse("accounts:sign-in")
        )
    assert sessions[2].get(reverse("web:home")).status_code == 200  # others keep theirs
    assert client.get(reverse("web:home")).status_code == 200  # and so does the administrator


def test_a_reset_needs_a_fresh_sign_in():
    force = organisation_for(Role.POLICE_OFFICER)
    officer = enrolled(Role.POLICE_OFFICER, force)
    client, _ = administrator_client(force, fresh=False)
    response = client.post(URL, {"email": officer.email, "checked": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))
    officer.refresh_from_db()
    assert officer.totp_confirmed
    assert resets() == []
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("self", "Ask another administrator to reset your own two-step sign-in"),
        ("elsewhere", "No one in your organisation has that email address"),
        ("nobody", "No one in your organisation has that email address"),
        ("unchecked", "Confirm that you have checked that the person asking"),
        ("bad", "Enter an email address in the correct format"),
    ],
)
def test_wrong_resets_are_refused_and_named(who, message):
    force = organisation_for(Role.POLICE_OFFICER)
    client, administrator = administrator_client(force)
    elsewhere = enrolled(Role.POLICE_OFFICER)  # another force
    email = {
        "self": administrator.email,
        "elsewhere": elsewhere.email,
        "nobody": "nobody@example.org",
        "unchecked": make_user(Role.POLICE_OFFICER, force).email,
        "bad": "not an address",
    }[who]
    data = {"email": email} if who == "unchecked" else {"email": email, "checked": "on"}
    response = client.post(URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert resets() == []
    elsewhere.refresh_from_db()
    assert elsewhere.totp_confirmed


def test_the_action_itself_refuses_other_roles_self_and_other_organisations():
    force = organisation_for(Role.POLICE_OFFICER)
    officer = enrolled(Role.POLICE_OFFICER, force)
    protocol = make_user(Role.PROTOCOL_OFFICER, force)
    with pytest.raises(PermissionDenied):
        do_reset_second_factor(officer, Actor.for_user(protocol))
    administrator = make_user(Role.ADMINISTRATOR, force)
    with pytest.raises(ValidationError):
        do_reset_second_factor(administrator, Actor.for_user(administrator))
    with pytest.raises(ValidationError):
        do_reset_second_factor(enrolled(Role.POLICE_OFFICER), Actor.for_user(administrator))
    assert resets() == []
