"""Lockouts that cannot be turned against the people they protect: wrong API tokens counted per
token, staff sign-in per account and per address with exponential back-off, the same answer
whether or not an email address has an account, a notice to the holder, and forwarded addresses
believed only from configured proxies."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from safeshare.accounts import lockout
from safeshare.accounts.models import AuthThrottle, SecurityNotice
from safeshare.kernel.roles import Role
from tests import api_client as api
from tests.accounts.factories import DEFAULT_PASSWORD, make_user
from tests.support import two_step

WRONG = "wrong password!"


def whoami(client: Client, secret: str):
    return client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {secret}"})


# --- API tokens ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_wrong_tokens_from_an_address_never_lock_out_a_valid_token(settings):
    settings.SAFESHARE_API_LOCKOUT_THRESHOLD = 3
    good = api.police()
    shared = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [whoami(shared, f"ss_nobody{n}_guess").status_code for n in range(6)]
    assert statuses[:2] == [401, 401]
    assert statuses[-1] == 429  # the guesser is slowed down ...
    assert whoami(shared, good.secret).status_code == 200  # ... the valid token is not


@pytest.mark.django_db
def test_wrong_secrets_for_a_token_are_counted_against_that_token_only(settings):
    settings.SAFESHARE_API_LOCKOUT_THRESHOLD = 3
    target, other = api.police(), api.police()
    prefix = target.secret.split("_")[1]
    statuses = [
        whoami(Client(REMOTE_ADDR=f"198.51.100.{n}"), f"ss_{prefix}_guess{n}").status_code
        for n in range(5)
    ]
    assert statuses[:2] == [401, 401]
    assert statuses[-1] == 429
    locked = whoami(Client(), f"ss_{prefix}_another")
    assert locked.json()["error"]["code"] == "too_many_requests"
    assert int(locked["Retry-After"]) > 0
    assert whoami(Client(REMOTE_ADDR="198.51.100.1"), target.secret).status_code == 200
    assert whoami(Client(REMOTE_ADDR="198.51.100.1"), other.secret).status_code == 200
    assert AuthThrottle.objects.filter(kind=lockout.TOKEN).count() == 1


@pytest.mark.django_db
def test_the_api_lockout_stores_no_address_and_no_prefix():
    good = api.police()
    prefix = good.secret.split("_")[1]
    whoami(Client(REMOTE_ADDR="203.0.113.10"), "ss_nope_nope")
    whoami(Client(REMOTE_ADDR="203.0.113.10"), f"ss_{prefix}_nope")
    for row in AuthThrottle.objects.all():
        assert "203.0.113.10" not in row.key
        assert prefix not in row.key


@pytest.mark.django_db
def test_a_forged_forwarded_address_is_ignored_without_a_trusted_proxy(settings):
    settings.SAFESHARE_API_LOCKOUT_THRESHOLD = 3
    settings.SAFESHARE_TRUSTED_PROXIES = []
    client = Client(REMOTE_ADDR="203.0.113.20")
    for n in range(3):
        whoami(client, f"ss_nobody{n}_x")
    # Changing the forwarded address does not give a fresh count ...
    forged = client.get(
        "/api/v1/whoami",
        headers={"Authorization": "Bearer ss_nobody9_x", "X-Forwarded-For": "192.0.2.99"},
    )
    assert forged.status_code == 429
    # ... and cannot frame another address either.
    assert whoami(Client(REMOTE_ADDR="192.0.2.99"), "ss_nobody_x").status_code == 401


def test_the_client_address_comes_from_a_configured_proxy_only(settings):
    settings.SAFESHARE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    factory = RequestFactory()
    direct = factory.get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert lockout.client_address(direct) == "203.0.113.5"
    proxied = factory.get(
        "/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7, 10.9.9.9"
    )
    assert lockout.client_address(proxied) == "192.0.2.7"
    settings.SAFESHARE_TRUSTED_PROXIES = []
    assert lockout.client_address(proxied) == "10.1.2.3"


@given(st.integers(min_value=1, max_value=200))
def test_each_lock_is_twice_the_last_up_to_the_cap(lockouts):
    from django.conf import settings

    this = lockout.lock_length(lockout.ACCOUNT, lockouts)
    following = lockout.lock_length(lockout.ACCOUNT, lockouts + 1)
    cap = timedelta(minutes=settings.SAFESHARE_LOCKOUT_MINUTES)
    assert timedelta(seconds=lockout.FIRST_LOCK_SECONDS) <= this <= cap
    assert following == min(2 * this, cap)


# --- Staff sign-in ------------------------------------------------------------------------------


def sign_in(client: Client, email: str, password: str):
    return client.post(reverse("accounts:sign-in"), {"email": email, "password": password})


def answer(response) -> str:
    """The error summary's text, without the email address the form echoes back."""
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.content.decode(), re.S)
    assert found, response.content.decode()[:400]
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip()


@pytest.mark.django_db
def test_the_answers_are_the_same_whether_or_not_the_address_has_an_account(settings):
    settings.SAFESHARE_LOCKOUT_THRESHOLD = 3
    settings.SAFESHARE_ADDRESS_LOCKOUT_THRESHOLD = 100
    user = make_user(Role.PROTOCOL_OFFICER)
    real, made_up = Client(REMOTE_ADDR="192.0.2.1"), Client(REMOTE_ADDR="192.0.2.2")
    for _ in range(4):
        with_account = sign_in(real, user.email, WRONG)
        without = sign_in(made_up, "nobody@wmp.test", WRONG)
        assert with_account.status_code == without.status_code == 400
        assert answer(with_account) == answer(without)
    assert "too many attempts" in answer(with_account).lower()
    # While locked, even the right password gets the same answer: nothing is confirmed.
    assert answer(sign_in(real, user.email, DEFAULT_PASSWORD)) == answer(without)


@pytest.mark.django_db
def test_an_account_backs_off_exponentially_and_then_signs_in(settings):
    settings.SAFESHARE_LOCKOUT_THRESHOLD = 2
    user = make_user(Role.PROTOCOL_OFFICER)
    client = Client()
    key = lockout.account_key(user.email)

    def lock_seconds() -> float:
        row = AuthThrottle.objects.get(kind=lockout.ACCOUNT, key=key)
        return (row.locked_until - timezone.now()).total_seconds()

    sign_in(client, user.email, WRONG)
    sign_in(client, user.email, WRONG)
    first = lock_seconds()
    assert 0 < first <= 60
    AuthThrottle.objects.filter(key=key).update(locked_until=timezone.now())  # the lock ends
    sign_in(client, user.email, WRONG)
    sign_in(client, user.email, WRONG)
    assert 60 < lock_seconds() <= 120
    AuthThrottle.objects.filter(key=key).update(locked_until=timezone.now())
    assert two_step.sign_in(client, user).status_code == 302
    assert not AuthThrottle.objects.filter(kind=lockout.ACCOUNT, key=key).exists()


@pytest.mark.django_db
def test_password_spraying_from_one_address_is_slowed(settings):
    settings.SAFESHARE_LOCKOUT_THRESHOLD = 100
    settings.SAFESHARE_ADDRESS_LOCKOUT_THRESHOLD = 5
    people = [make_user(Role.POLICE_OFFICER) for _ in range(6)]
    sprayer = Client(REMOTE_ADDR="203.0.113.30")
    answers = [answer(sign_in(sprayer, person.email, WRONG)) for person in people]
    assert "too many attempts" in answers[-1].lower()
    # The same people can still sign in from their own address.
    assert (
        sign_in(Client(REMOTE_ADDR="192.0.2.40"), people[0].email, DEFAULT_PASSWORD).status_code
        == 302
    )


@pytest.mark.django_db
def test_the_account_holder_is_told_and_sees_the_notice_at_sign_in(settings):
    settings.SAFESHARE_LOCKOUT_THRESHOLD = 2
    settings.SAFESHARE_EMAIL_NOTICES = True
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    user = make_user(Role.PROTOCOL_OFFICER)
    client = Client()
    sign_in(client, user.email, WRONG)
    sign_in(client, user.email, WRONG)
    notice = SecurityNotice.objects.get(user=user)
    assert "tried to sign in" in notice.message
    assert [message.to for message in mail.outbox] == [[user.email]]
    AuthThrottle.objects.update(locked_until=timezone.now())
    response = two_step.sign_in(client, user)
    assert response.status_code == 302
    page = client.get(response["Location"], follow=True).content.decode()
    assert "tried to sign in" in page
    notice.refresh_from_db()
    assert notice.seen_at is not None


@pytest.mark.django_db
def test_no_email_server_still_records_the_notice(settings):
    settings.SAFESHARE_LOCKOUT_THRESHOLD = 2
    settings.SAFESHARE_EMAIL_NOTICES = False
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    user = make_user(Role.POLICE_OFFICER)
    client = Client()
    sign_in(client, user.email, WRONG)
    sign_in(client, user.email, WRONG)
    assert SecurityNotice.objects.filter(user=user).count() == 1
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_administrator_unlock_clears_the_account_lock(settings):
    from safeshare.accounts.actions import do_unlock_user

    settings.SAFESHARE_LOCKOUT_THRESHOLD = 2
    user = make_user(Role.POLICE_OFFICER)
    client = Client()
    sign_in(client, user.email, WRONG)
    sign_in(client, user.email, WRONG)
    do_unlock_user(user)
    assert sign_in(client, user.email, DEFAULT_PASSWORD).status_code == 302
