"""Passkey endpoints without a browser: refusals with the standard error body, the fresh sign-in
that changing a working second factor needs, and the last second factor kept."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client
from django.urls import reverse
from webauthn.helpers import bytes_to_base64url

from safeshare.accounts.models import Passkey
from safeshare.accounts.passkeys import has_second_factor
from safeshare.accounts.views import SIGNED_IN_AT_KEY
from safeshare.kernel.roles import Role
from tests.accounts.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db


def pending(user) -> Client:
    client = Client()
    response = client.post(
        reverse("accounts:sign-in"), {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    return client


def cred(number) -> str:
    return bytes_to_base64url(f"credential-{number}".encode())


def with_passkey(role: Role = Role.POLICE_OFFICER):
    user = make_user(role)
    Passkey.objects.create(user=user, name="Key", credential_id=cred(user.pk), public_key=b"k")
    return user


def post_json(client, name: str, body) -> object:
    return client.post(reverse(name), body, content_type="application/json")


def test_a_passkey_alone_is_a_second_factor_and_sign_in_asks_for_it():
    user = with_passkey()
    assert has_second_factor(user)
    client = Client()
    response = client.post(
        reverse("accounts:sign-in"), {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response["Location"] == reverse("accounts:second-factor")
    page = client.get(reverse("accounts:second-factor")).content.decode()
    assert "Use your passkey" in page
    assert "Security code" not in page  # no app code set up: no code box
    assert "_auth_user_id" not in client.session


def test_options_carry_the_accounts_passkeys_and_a_fresh_challenge():
    user = with_passkey()
    client = pending(user)
    first = post_json(client, "accounts:passkey-options", {}).json()
    second = post_json(client, "accounts:passkey-options", {}).json()
    assert first["rpId"] == "testserver"
    assert [c["id"] for c in first["allowCredentials"]] == [cred(user.pk)]
    assert first["challenge"] != second["challenge"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "could not be read"),
        (json.dumps({"credential": "x"}), "could not be read"),
        (json.dumps({"credential": {"id": "nope", "rawId": "nope"}}), "not registered"),
    ],
)
def test_a_bad_answer_is_refused_with_the_standard_error_body(body, message):
    user = with_passkey()
    client = pending(user)
    post_json(client, "accounts:passkey-options", {})
    response = client.post(
        reverse("accounts:passkey-sign-in"), body, content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "passkey_refused"
    assert message in error["message"]
    assert "_auth_user_id" not in client.session


def test_an_answer_without_a_challenge_is_refused():
    user = with_passkey()
    client = pending(user)
    response = post_json(client, "accounts:passkey-sign-in", {"credential": {"id": "x"}})
    assert response.status_code == 400
    assert "expired" in response.json()["error"]["message"]


def test_without_a_pending_sign_in_nothing_is_offered():
    response = post_json(Client(), "accounts:passkey-options", {})
    assert response.status_code == 409
    assert response.json()["redirect"] == reverse("accounts:sign-in")
    assert post_json(Client(), "accounts:passkey-enrol-options", {}).status_code == 409


def test_adding_a_passkey_to_a_working_second_factor_needs_a_fresh_sign_in():
    user = with_passkey()
    client = Client()
    client.force_login(user)
    response = post_json(client, "accounts:passkey-add-options", {})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "sign_in_again"
    session = client.session
    session[SIGNED_IN_AT_KEY] = time.time()
    session.save()
    assert post_json(client, "accounts:passkey-add-options", {}).status_code == 200


def test_removing_a_passkey_needs_a_fresh_sign_in_and_never_the_last_second_factor():
    user = with_passkey(Role.ADVOCATE)
    passkey = user.passkeys.get()
    client = Client()
    client.force_login(user)
    url = reverse("accounts:passkey-remove", args=[passkey.pk])
    stale = client.post(url)
    assert stale["Location"].startswith(reverse("accounts:sign-in"))
    assert "_auth_user_id" not in client.session
    client.force_login(user)
    session = client.session
    session[SIGNED_IN_AT_KEY] = time.time()
    session.save()
    client.post(url)
    assert Passkey.objects.filter(pk=passkey.pk).exists()  # the only second factor
    Passkey.objects.create(user=user, name="Spare", credential_id=cred("spare"), public_key=b"k")
    client.post(url)
    assert not Passkey.objects.filter(pk=passkey.pk).exists()
    someone_else = with_passkey()
    client.post(reverse("accounts:passkey-remove", args=[someone_else.passkeys.get().pk]))
    assert someone_else.passkeys.exists()
