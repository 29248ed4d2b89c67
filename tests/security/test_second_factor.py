"""The second factor: every staff role can enrol, each code works once, and replacing a working
second factor needs a fresh sign-in."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeshare.accounts import actions
from safeshare.accounts.models import User
from safeshare.accounts.views import SIGNED_IN_AT_KEY
from safeshare.kernel.roles import Role
from tests.accounts.factories import DEFAULT_PASSWORD, make_user
from tests.support import two_step

pytestmark = pytest.mark.django_db


def enrolled(role: Role) -> tuple[User, str]:
    user = make_user(role)
    secret = actions.do_start_totp_enrolment(user)
    assert actions.do_confirm_totp_enrolment(
        user, pyotp.TOTP(secret).at(timezone.now(), counter_offset=-1)
    )
    return user, secret


def test_a_code_is_accepted_once():
    user, secret = enrolled(Role.PROTOCOL_OFFICER)
    code = pyotp.TOTP(secret).now()
    assert actions.do_use_totp_code(user, code)
    assert not actions.do_use_totp_code(user, code)  # replayed
    assert not actions.do_use_totp_code(
        user, pyotp.TOTP(secret).at(timezone.now(), counter_offset=-1)
    )  # older


def test_a_code_seen_once_cannot_sign_in_twice(client):
    user, _secret = enrolled(Role.IE_SENIOR_APPROVER)
    code = two_step.next_code(user)
    client.post(reverse("accounts:sign-in"), {"email": user.email, "password": DEFAULT_PASSWORD})
    assert client.post(reverse("accounts:second-factor"), {"code": code}).status_code == 302
    other = Client()
    other.post(reverse("accounts:sign-in"), {"email": user.email, "password": DEFAULT_PASSWORD})
    replay = other.post(reverse("accounts:second-factor"), {"code": code})
    assert replay.status_code == 400
    assert "used already" in replay.content.decode()
    assert "_auth_user_id" not in other.session


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_every_staff_role_can_enrol(client, role):
    user = make_user(role)
    client.force_login(user)
    client.post(reverse("accounts:second-factor-setup"), {"start": "1"})
    user.refresh_from_db()
    assert user.totp_secret
    assert not user.totp_confirmed
    response = client.post(
        reverse("accounts:second-factor-setup"), {"code": pyotp.TOTP(user.totp_secret).now()}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.totp_confirmed


def test_replacing_a_working_second_factor_needs_a_fresh_sign_in(client):
    user, secret = enrolled(Role.PROTOCOL_OFFICER)
    client.force_login(user)
    session = client.session
    session[SIGNED_IN_AT_KEY] = time.time() - 3600  # signed in an hour ago
    session.save()
    response = client.post(reverse("accounts:second-factor-setup"), {"start": "1"})
    assert response.status_code == 302
    assert reverse("accounts:sign-in") in response["Location"]
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.totp_secret == secret  # unchanged
    assert user.totp_confirmed


def test_a_fresh_sign_in_may_replace_it(client):
    user, secret = enrolled(Role.PROTOCOL_OFFICER)
    assert two_step.sign_in(client, user).status_code == 302
    response = client.post(reverse("accounts:second-factor-setup"), {"start": "1"})
    assert response["Location"] == reverse("accounts:second-factor-setup")
    user.refresh_from_db()
    assert user.totp_secret != secret


def test_staff_without_a_second_factor_set_it_up_before_they_are_signed_in(client):
    user = make_user(Role.POLICE_OFFICER)
    response = client.post(
        reverse("accounts:sign-in"), {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response["Location"] == reverse("accounts:second-factor-enrol")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("web:home")).status_code == 302  # not signed in yet
    page = client.get(response["Location"])
    user.refresh_from_db()
    assert user.totp_secret in page.content.decode()
    wrong = client.post(response["Location"], {"code": "000000"})
    assert wrong.status_code == 400
    assert "_auth_user_id" not in client.session
    done = client.post(response["Location"], {"code": two_step.next_code(user)})
    assert done.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.totp_confirmed


def test_the_set_up_page_needs_a_pending_sign_in(client):
    assert client.get(reverse("accounts:second-factor-enrol"))["Location"] == reverse(
        "accounts:sign-in"
    )
