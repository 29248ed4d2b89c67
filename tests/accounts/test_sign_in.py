"""Signing in and out, lockout after repeated failures, and the second factor."""

from __future__ import annotations

import pyotp
import pytest
from django.urls import reverse
from django.utils import timezone

from safeshare.accounts import actions
from safeshare.accounts.models import User
from safeshare.kernel.roles import Role
from tests.accounts.factories import DEFAULT_PASSWORD, make_user
from tests.support import two_step

pytestmark = pytest.mark.django_db


def sign_in(client, email: str, password: str):
    return client.post(reverse("accounts:sign-in"), {"email": email, "password": password})


def test_correct_password_signs_in_and_reaches_home(client):
    user = make_user(Role.POLICE_OFFICER)
    response = sign_in(client, user.email, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session  # two-step sign-in is required
    assert two_step.sign_in(client, user).status_code == 302
    home = client.get(reverse("web:home"))
    assert home.status_code == 200
    assert "Police officer home" in home.text
    assert user.organisation.name in home.text


def test_email_is_case_insensitive(client):
    user = make_user(Role.IE_CASEWORKER)
    assert sign_in(client, user.email.upper(), DEFAULT_PASSWORD).status_code == 302


def test_bad_password_shows_error_summary_and_field_errors(client):
    user = make_user(Role.POLICE_OFFICER)
    response = sign_in(client, user.email, "wrong password")
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert "Enter a correct email address and password" in response.text
    assert response.text.count("<title>Error: ") == 1
    assert "_auth_user_id" not in client.session


def test_empty_form_names_each_missing_field(client):
    response = client.post(reverse("accounts:sign-in"), {})
    assert response.status_code == 400
    assert 'href="#id_email">Enter your email address' in response.text
    assert 'href="#id_password">Enter your password' in response.text


def test_lockout_after_repeated_failures(client, settings):
    settings.SAFESHARE_LOCKOUT_THRESHOLD = 3
    user = make_user(Role.PROTOCOL_OFFICER)
    for _ in range(2):
        response = sign_in(client, user.email, "wrong password")
        assert "Enter a correct email address and password" in response.text
    response = sign_in(client, user.email, "wrong password")
    assert "too many attempts to sign in" in response.text
    # Even the right password is refused while locked, with the same clear message.
    response = sign_in(client, user.email, DEFAULT_PASSWORD)
    assert response.status_code == 400
    assert "too many attempts to sign in" in response.text
    assert "_auth_user_id" not in client.session


def test_unlock_lets_the_user_back_in(client, settings):
    settings.SAFESHARE_LOCKOUT_THRESHOLD = 1
    user = make_user(Role.POLICE_OFFICER)
    sign_in(client, user.email, "wrong password")
    actions.do_unlock_user(User.objects.get(pk=user.pk))
    assert sign_in(client, user.email, DEFAULT_PASSWORD).status_code == 302


def test_success_resets_the_failure_count(client, settings):
    settings.SAFESHARE_LOCKOUT_THRESHOLD = 3
    user = make_user(Role.POLICE_OFFICER)
    sign_in(client, user.email, "wrong password")
    sign_in(client, user.email, "wrong password")
    assert two_step.sign_in(client, user).status_code == 302
    user.refresh_from_db()
    assert user.failed_sign_ins == 0


def test_open_redirect_is_refused(client):
    user = make_user(Role.POLICE_OFFICER)
    response = client.post(
        reverse("accounts:sign-in"),
        {"email": user.email, "password": DEFAULT_PASSWORD, "next": "https://evil.example/"},
    )
    enrol = response["Location"]
    client.get(enrol)
    response = client.post(enrol, {"code": two_step.next_code(user)})
    assert response["Location"] == "/"


def test_sign_out_needs_post_and_ends_the_session(client):
    user = make_user(Role.OVERSIGHT_ANALYST)
    client.force_login(user)
    assert client.get(reverse("accounts:sign-out")).status_code == 405
    assert client.post(reverse("accounts:sign-out")).status_code == 302
    assert client.get(reverse("web:home")).status_code == 302


def test_second_factor_is_asked_for_once_enrolled(client):
    user = make_user(Role.IE_SENIOR_APPROVER)
    secret = actions.do_start_totp_enrolment(user)
    assert not actions.do_confirm_totp_enrolment(
        user, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    )
    assert actions.do_confirm_totp_enrolment(user, pyotp.TOTP(secret).now())

    response = sign_in(client, user.email, DEFAULT_PASSWORD)
    assert response["Location"] == reverse("accounts:second-factor")
    assert "_auth_user_id" not in client.session
    bad = client.post(reverse("accounts:second-factor"), {"code": "12345x"})
    assert bad.status_code == 400
    assert "The security code is not correct" in bad.text
    # The code that confirmed the app was used once already: the next one is needed.
    used = client.post(reverse("accounts:second-factor"), {"code": pyotp.TOTP(secret).now()})
    assert used.status_code == 400
    next_code = pyotp.TOTP(secret).at(timezone.now(), counter_offset=1)
    good = client.post(reverse("accounts:second-factor"), {"code": next_code})
    assert good.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_role_must_fit_the_organisation():
    from django.core.exceptions import ValidationError

    from tests.accounts.factories import organisation_for

    police = organisation_for(Role.POLICE_OFFICER)
    with pytest.raises(ValidationError, match="cannot hold"):
        actions.do_create_user(
            email="x@y.test",
            password=DEFAULT_PASSWORD,
            organisation=police,
            role=Role.IE_CASEWORKER,
        )
    assert not User.objects.filter(email="x@y.test").exists()
