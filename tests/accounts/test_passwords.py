"""Production passwords are hashed with Argon2."""

import pytest

import safeshare.settings as production_settings
from safeshare.kernel.roles import Role
from tests.accounts.factories import DEFAULT_PASSWORD, make_user


def test_argon2_is_the_production_hasher():
    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_users_are_stored_with_argon2(settings):
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    user = make_user(Role.POLICE_OFFICER)
    assert user.password.startswith("argon2$")
    assert DEFAULT_PASSWORD not in user.password
    assert user.check_password(DEFAULT_PASSWORD)
