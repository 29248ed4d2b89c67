"""WebAuthn passkeys for two-step sign-in, with py_webauthn (docs/adr/0028-passkeys.md).

A passkey (a security key, or the phone's or computer's built-in authenticator) is the preferred
second factor; the authenticator-app code (TOTP) stays as the fallback. Only the credential's
public key is kept. The relying party is the host the person signed in at (the ``Host`` header,
which ``ALLOWED_HOSTS`` already checks), so a passkey made at one deployment's address does not
work at another's. Challenges live in the session and are used once. A sign count that does not
go up (a cloned authenticator) is refused by the library.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import IntegrityError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from safeshare.accounts.models import Passkey, User
from safeshare.kernel.transactions import action_transaction

RP_NAME = "SafeShare"
CHALLENGE_KEY = "safeshare_webauthn_challenge"
MAX_PASSKEYS = 10
MAX_NAME = 100


class PasskeyError(ValueError):
    """The browser's answer was not a valid passkey response (the message says why)."""


def has_second_factor(user: User) -> bool:
    """A working second factor: a confirmed authenticator app, or a passkey."""
    return user.totp_confirmed or user.passkeys.exists()


def relying_party(request: HttpRequest) -> tuple[str, str]:
    """(RP ID, origin) for this request: the host without its port, and scheme://host."""
    host = request.get_host()
    scheme = "https" if request.is_secure() else "http"
    return host.rsplit(":", 1)[0] if not host.endswith("]") else host, f"{scheme}://{host}"


def _take_challenge(request: HttpRequest, purpose: str) -> bytes:
    stored = request.session.pop(CHALLENGE_KEY, None)
    if not stored or stored.get("purpose") != purpose:
        raise PasskeyError("Start again: the request to your passkey has expired")
    return base64url_to_bytes(stored["challenge"])


def _keep_challenge(request: HttpRequest, purpose: str, challenge: bytes) -> None:
    request.session[CHALLENGE_KEY] = {
        "purpose": purpose,
        "challenge": bytes_to_base64url(challenge),
    }


def registration_options(request: HttpRequest, user: User) -> str:
    """Options (JSON) for ``navigator.credentials.create`` to make a passkey for ``user``."""
    rp_id, _ = relying_party(request)
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=RP_NAME,
        user_id=f"safeshare-user-{user.pk}".encode(),
        user_name=user.email,
        user_display_name=str(user),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id))
            for p in user.passkeys.all()
        ],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    _keep_challenge(request, "register", options.challenge)
    return options_to_json(options)


def authentication_options(request: HttpRequest, user: User) -> str:
    """Options (JSON) for ``navigator.credentials.get`` with one of ``user``'s passkeys."""
    rp_id, _ = relying_party(request)
    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id))
            for p in user.passkeys.all()
        ],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _keep_challenge(request, "authenticate", options.challenge)
    return options_to_json(options)


def _credential(body: bytes) -> tuple[dict, str]:
    try:
        data = json.loads(body)
    except ValueError as error:
        raise PasskeyError("The answer from your passkey could not be read") from error
    if not isinstance(data, dict) or not isinstance(data.get("credential"), dict):
        raise PasskeyError("The answer from your passkey could not be read")
    name = data.get("name", "")
    if not isinstance(name, str) or len(name) > MAX_NAME:
        raise PasskeyError(f"Give the passkey a name of at most {MAX_NAME} characters")
    return data["credential"], name.strip()


def do_register_passkey(request: HttpRequest, user: User, body: bytes) -> Passkey:
    """Check the browser's new credential against the session's challenge and keep it."""
    challenge = _take_challenge(request, "register")
    credential, name = _credential(body)
    if user.passkeys.count() >= MAX_PASSKEYS:
        raise PasskeyError(f"You have {MAX_PASSKEYS} passkeys: remove one before adding another")
    rp_id, origin = relying_party(request)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
        )
    except (WebAuthnException, KeyError, TypeError, ValueError) as error:
        raise PasskeyError("Your passkey's answer could not be checked: try again") from error
    transports = credential.get("response", {}).get("transports") or []
    try:
        with action_transaction():
            return Passkey.objects.create(
                user=user,
                name=name or f"Passkey added {date_format(timezone.localdate(), 'j F Y')}",
                credential_id=bytes_to_base64url(verified.credential_id),
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                transports=[t for t in transports if isinstance(t, str)][:8],
            )
    except IntegrityError as error:
        raise PasskeyError("That passkey is registered already") from error


@dataclass(frozen=True)
class UsedPasskey:
    passkey: Passkey


def do_use_passkey(request: HttpRequest, user: User, body: bytes) -> UsedPasskey:
    """Check a sign-in assertion by one of ``user``'s passkeys; record its new sign count."""
    challenge = _take_challenge(request, "authenticate")
    credential, _ = _credential(body)
    raw_id = credential.get("rawId") or credential.get("id")
    if not isinstance(raw_id, str):
        raise PasskeyError("The answer from your passkey could not be read")
    passkey = user.passkeys.filter(credential_id=raw_id).first()
    if passkey is None:
        raise PasskeyError("That passkey is not registered for your account")
    rp_id, origin = relying_party(request)
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except (WebAuthnException, KeyError, TypeError, ValueError) as error:
        raise PasskeyError("Your passkey's answer could not be checked: try again") from error
    with action_transaction():
        Passkey.objects.filter(pk=passkey.pk).update(
            sign_count=verified.new_sign_count, last_used_at=timezone.now()
        )
    return UsedPasskey(passkey)


def do_remove_passkey(user: User, passkey_id: int) -> bool:
    with action_transaction():
        deleted, _ = Passkey.objects.filter(user=user, pk=passkey_id).delete()
    return bool(deleted)
