"""The only code that changes accounts: organisations, users, sign-in state and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safeshare.accounts.models import (
    ApiToken,
    Organisation,
    OutboundDelivery,
    User,
    WebhookSubscription,
)
from safeshare.kernel.contact import ContactPoint
from safeshare.kernel.roles import (
    DEFAULT_SCOPES_BY_ROLE,
    OrganisationKind,
    Role,
    Scope,
    role_allowed_for,
)
from safeshare.kernel.transactions import action_transaction, request_transaction

TOKEN_PREFIX = "ss"  # noqa: S105 (a public marker, not a secret)


def _role_not_allowed(organisation: Organisation, role: Role) -> ValidationError:
    kind = organisation.kind_enum.label.lower()
    return ValidationError({"role": f"A {kind} cannot hold the role {role.label}."})


def do_create_organisation(
    *,
    code: str,
    name: str,
    kind: OrganisationKind | str,
    official_code: str = "",
    jurisdiction: str = "england_wales",
    contact_point: str = "",
    contact: ContactPoint | None = None,
) -> Organisation:
    """Create an organisation after validating every field. Its contact point is ``contact``,
    or a team name alone (``contact_point``)."""
    organisation = Organisation(
        code=code.strip().upper(),
        name=name.strip(),
        kind=OrganisationKind(kind).value,
        official_code=official_code,
        jurisdiction=jurisdiction,
    )
    organisation.contact = contact or ContactPoint(team=contact_point.strip())
    organisation.full_clean()
    with action_transaction():
        organisation.save()
    return organisation


def do_create_user(
    *,
    email: str,
    password: str,
    organisation: Organisation,
    role: Role | str,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user who signs in for one organisation with one role."""
    role = Role(role)
    if not role_allowed_for(organisation.kind, role):
        raise _role_not_allowed(organisation, role)
    email = User.objects.normalize_email(email).lower()
    user = User(
        email=email,
        username=email,
        organisation=organisation,
        role=role.value,
        first_name=first_name,
        last_name=last_name,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    with action_transaction():
        user.save()
    return user


def do_record_failed_sign_in(user: User) -> User:
    """Count a failed sign-in; lock the account once the threshold is reached."""
    with action_transaction():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.failed_sign_ins += 1
        if locked.failed_sign_ins >= settings.SAFESHARE_LOCKOUT_THRESHOLD:
            locked.locked_until = timezone.now() + timedelta(
                minutes=settings.SAFESHARE_LOCKOUT_MINUTES
            )
            locked.failed_sign_ins = 0
        locked.save(update_fields=["failed_sign_ins", "locked_until"])
    return locked


def do_record_successful_sign_in(user: User) -> None:
    """Clear the failure count after a successful sign-in."""
    with action_transaction():
        User.objects.filter(pk=user.pk).update(
            failed_sign_ins=0, locked_until=None, last_login=timezone.now()
        )


def do_unlock_user(user: User) -> None:
    """Unlock an account (an administrator's action)."""
    from safeshare.accounts import lockout

    with action_transaction():
        User.objects.filter(pk=user.pk).update(failed_sign_ins=0, locked_until=None)
    lockout.do_clear(lockout.ACCOUNT, lockout.account_key(user.email))


def do_start_totp_enrolment(user: User) -> str:
    """Give the user a new, unconfirmed second-factor secret and return it."""
    secret = pyotp.random_base32()
    with action_transaction():
        User.objects.filter(pk=user.pk).update(totp_secret=secret, totp_confirmed=False)
    user.totp_secret, user.totp_confirmed = secret, False
    return secret


def do_confirm_totp_enrolment(user: User, code: str) -> bool:
    """Turn the second factor on once the user proves their app shows the right code."""
    if not do_use_totp_code(user, code):
        return False
    do_mark_totp_confirmed(user)
    return True


def do_mark_totp_confirmed(user: User) -> None:
    """Turn the second factor on (its code has just been checked with ``do_use_totp_code``)."""
    with action_transaction():
        User.objects.filter(pk=user.pk).update(totp_confirmed=True)
    user.totp_confirmed = True


def totp_step(secret: str, code: str, now=None) -> int | None:
    """The time step (now, one before or one after) whose code this is, or None."""
    cleaned = "".join(ch for ch in code if ch.isdigit())
    if len(cleaned) != 6 or not secret:
        return None
    totp = pyotp.TOTP(secret)
    moment = now or timezone.now()
    for offset in (0, -1, 1):
        if hmac.compare_digest(totp.at(moment, counter_offset=offset), cleaned):
            return totp.timecode(moment) + offset
    return None


def do_use_totp_code(user: User, code: str) -> bool:
    """Accept a code once: it must be right and newer than the last code accepted, so a code
    seen over someone's shoulder or replayed cannot be used again."""
    with action_transaction():
        locked = User.objects.select_for_update().get(pk=user.pk)
        step = totp_step(locked.totp_secret, code)
        if step is None or step <= locked.totp_last_step:
            return False
        locked.totp_last_step = step
        locked.save(update_fields=["totp_last_step"])
    user.totp_last_step = step
    return True


def totp_code_is_valid(secret: str, code: str) -> bool:
    """Check a six-digit code, allowing one step of clock drift."""
    cleaned = "".join(ch for ch in code if ch.isdigit())
    return len(cleaned) == 6 and pyotp.TOTP(secret).verify(cleaned, valid_window=1)


@dataclass(frozen=True)
class IssuedToken:
    """A newly created token: the secret is shown once and never stored."""

    token: ApiToken
    secret: str


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _binding_problem(
    organisation: Organisation,
    role: Role,
    person: User | None,
    system_name: str,
    system_owner: User | None,
) -> ValidationError | None:
    if person is not None and (system_name.strip() or system_owner is not None):
        return ValidationError(
            {"person": "A token acts for a named person or for a named system, not both."}
        )
    if person is not None:
        if person.organisation_id != organisation.pk or person.role != role.value:
            return ValidationError(
                {"person": "The person must work for the organisation, with the token's role."}
            )
        return None
    if not system_name.strip() or system_owner is None:
        return ValidationError(
            {
                "person": "Name the person the token acts for, or the system and the person "
                "who owns it."
            }
        )
    if system_owner.organisation_id != organisation.pk:
        return ValidationError({"system_owner": "The owner must work for the organisation."})
    return None


def do_create_api_token(
    *,
    organisation: Organisation,
    role: Role | str,
    name: str,
    scopes: list[Scope | str] | None = None,
    created_by: User | None = None,
    person: User | None = None,
    system_name: str = "",
    system_owner: User | None = None,
    expires_at=None,
    replaces: ApiToken | None = None,
) -> IssuedToken:
    """Create an API token that acts for an organisation with one role and a set of scopes,
    bound to a named person (with that role) or to a named system and the person who owns it,
    and working until ``expires_at`` (by default ``SAFESHARE_API_TOKEN_DAYS`` from now)."""
    from safeshare.accounts.models import ApiTokenBinding

    role = Role(role)
    if not role_allowed_for(organisation.kind, role):
        raise _role_not_allowed(organisation, role)
    allowed = DEFAULT_SCOPES_BY_ROLE[role]
    chosen = frozenset(Scope(s) for s in scopes) if scopes else allowed
    if not chosen <= allowed:
        extra = ", ".join(sorted(s.value for s in chosen - allowed))
        raise ValidationError({"scopes": f"The role {role.label} cannot have: {extra}."})
    if not name.strip():
        raise ValidationError({"name": "Enter a name for the token."})
    problem = _binding_problem(organisation, role, person, system_name, system_owner)
    if problem is not None:
        raise problem
    now = timezone.now()
    expires_at = expires_at or now + timedelta(days=settings.SAFESHARE_API_TOKEN_DAYS)
    if expires_at <= now:
        raise ValidationError({"expires_at": "The expiry date must be in the future."})
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        organisation=organisation,
        role=role.value,
        name=name.strip(),
        prefix=prefix,
        secret_hash=_hash_secret(secret),
        scopes=sorted(s.value for s in chosen),
        created_by=created_by,
    )
    token.full_clean()
    with action_transaction():
        token.save()
        ApiTokenBinding.objects.create(
            token=token,
            person=person,
            system_name=system_name.strip(),
            system_owner=system_owner,
            expires_at=expires_at,
            replaces=replaces,
        )
    return IssuedToken(token=token, secret=secret)


def token_expires_at(token: ApiToken):
    """When a token stops working: its binding's expiry, or for a token made before tokens were
    bound, ``SAFESHARE_API_TOKEN_DAYS`` after it was made."""
    binding = getattr(token, "binding", None)
    if binding is not None:
        return binding.expires_at
    return token.created_at + timedelta(days=settings.SAFESHARE_API_TOKEN_DAYS)


def do_rotate_api_token(
    token: ApiToken,
    *,
    overlap: timedelta = timedelta(hours=24),
    expires_at=None,
    created_by: User | None = None,
) -> IssuedToken:
    """Issue the token's successor (same organisation, role, scopes and binding) and let the old
    one work only for ``overlap`` more, so that a client can switch without downtime."""
    from safeshare.accounts.models import ApiTokenBinding

    if token.revoked_at is not None:
        raise ValidationError({"token": "A revoked token cannot be rotated."})
    binding = getattr(token, "binding", None)
    if binding is None:
        raise ValidationError(
            {"token": "This token is not bound to a person or a system: create a new one."}
        )
    base = token.name.split(" (from ")[0]
    name = f"{base} (from {timezone.localdate():%Y-%m-%d}, {secrets.token_hex(2)})"
    with request_transaction():  # the successor and the old token's new end, together
        issued = do_create_api_token(
            organisation=token.organisation,
            role=token.role,
            name=name[:100],
            scopes=list(token.scopes),
            created_by=created_by,
            person=binding.person,
            system_name=binding.system_name,
            system_owner=binding.system_owner,
            expires_at=expires_at,
            replaces=token,
        )
        ends = min(binding.expires_at, timezone.now() + overlap)
        ApiTokenBinding.objects.filter(pk=binding.pk).update(expires_at=ends)
    return issued


def do_revoke_api_token(token: ApiToken) -> None:
    """Stop a token from working."""
    with action_transaction():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )


def find_active_token(secret: str) -> ApiToken | None:
    """Return the active token for a bearer secret, or None. Constant-time on the hash."""
    parts = secret.split("_")
    if len(parts) < 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = (
        ApiToken.objects.select_related(
            "organisation", "binding", "binding__person", "binding__system_owner"
        )
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, _hash_secret(secret)):
        return None
    if token_expires_at(token) <= timezone.now():
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def do_set_password(user: User, password: str) -> None:
    """Set a new password and clear any lockout."""
    user.set_password(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    with action_transaction():
        user.save(update_fields=["password", "failed_sign_ins", "locked_until"])


# --- Outbound webhooks (accounts/webhooks.py signs and sends) --------------------------------

WEBHOOK_LEASE = timedelta(minutes=5)
"""How long a claimed delivery is kept from other workers while it is sent."""


def webhook_backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after each failed attempt, at most six hours."""
    exponent = min(max(attempts - 1, 0), 12)
    return min(timedelta(minutes=2**exponent), timedelta(hours=6))


def do_create_webhook_subscription(
    *,
    organisation: Organisation,
    name: str,
    url: str,
    events: list[str],
    created_by: User | None,
) -> WebhookSubscription:
    """Store a subscription with a new secret (``whsec_`` and 32 random bytes)."""
    subscription = WebhookSubscription(
        organisation=organisation,
        name=name.strip(),
        url=url.strip(),
        events=sorted(set(events)),
        secret="whsec_" + secrets.token_urlsafe(32),
        created_by=created_by,
    )
    subscription.full_clean()
    with action_transaction():
        subscription.save()
    return subscription


def do_rotate_webhook_secret(
    subscription: WebhookSubscription, overlap: timedelta
) -> WebhookSubscription:
    """Give a subscription a new secret. For ``overlap`` its deliveries are signed with both
    the new and the old secret, so that the receiving system can change over without losing
    a message; then with the new one only."""
    now = timezone.now()
    with action_transaction():
        current = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        current.previous_secret = current.secret if overlap > timedelta(0) else ""
        current.previous_secret_until = now + overlap if overlap > timedelta(0) else None
        current.secret = "whsec_" + secrets.token_urlsafe(32)
        current.secret_rotated_at = now
        current.save(
            update_fields=[
                "secret",
                "previous_secret",
                "previous_secret_until",
                "secret_rotated_at",
            ]
        )
    return current


def do_disable_webhook_subscription(subscription: WebhookSubscription) -> None:
    """Stop sending to a subscription; deliveries still waiting are failed."""
    now = timezone.now()
    with action_transaction():
        WebhookSubscription.objects.filter(pk=subscription.pk).update(disabled_at=now)
        OutboundDelivery.objects.filter(
            subscription=subscription, status=OutboundDelivery.Status.PENDING
        ).update(status=OutboundDelivery.Status.FAILED, last_error="Subscription disabled")
    subscription.disabled_at = now


def queue_webhook_event(
    organisation: Organisation, event_type: str, data: dict
) -> list[OutboundDelivery]:
    """One delivery for each active subscription of ``organisation`` that asked for
    ``event_type``. In the caller's transaction (the event and its deliveries commit together);
    the worker sends them."""
    subscriptions = [
        s
        for s in WebhookSubscription.objects.filter(
            organisation=organisation, disabled_at__isnull=True
        )
        if event_type in s.events
    ]
    if not subscriptions:
        return []
    event_id = uuid.uuid4()
    now = timezone.now()
    body = {
        "id": str(event_id),
        "type": event_type,
        "created_at": now.isoformat(),
        "organisation_code": organisation.code,
        "data": data,
    }
    return OutboundDelivery.objects.bulk_create(
        OutboundDelivery(
            subscription=s, event_id=event_id, event_type=event_type, body=body, created_at=now
        )
        for s in subscriptions
    )


def queue_webhook_events(
    organisation: Organisation, event_type: str, datas: Iterable[dict]
) -> int:
    """``queue_webhook_event`` for many events at once (a bulk import's protections): the
    subscriptions are read once and the deliveries written in batches. In the caller's
    transaction; returns how many deliveries were queued."""
    subscriptions = [
        s
        for s in WebhookSubscription.objects.filter(
            organisation=organisation, disabled_at__isnull=True
        )
        if event_type in s.events
    ]
    if not subscriptions:
        return 0
    now = timezone.now()
    deliveries: list[OutboundDelivery] = []
    for data in datas:
        event_id = uuid.uuid4()
        body = {
            "id": str(event_id),
            "type": event_type,
            "created_at": now.isoformat(),
            "organisation_code": organisation.code,
            "data": data,
        }
        deliveries.extend(
            OutboundDelivery(
                subscription=s, event_id=event_id, event_type=event_type, body=body, created_at=now
            )
            for s in subscriptions
        )
    OutboundDelivery.objects.bulk_create(deliveries, batch_size=1000)
    return len(deliveries)


def do_replay_webhook_delivery(delivery: OutboundDelivery) -> OutboundDelivery:
    """Send a delivery's event again (same event id and body), as a new delivery."""
    if delivery.subscription.disabled_at is not None:
        raise ValidationError({"delivery": "The subscription is disabled: enable a new one."})
    with action_transaction():
        return OutboundDelivery.objects.create(
            subscription=delivery.subscription,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            body=delivery.body,
            replay_of=delivery,
        )


def claim_webhook_delivery(pk: int, now) -> OutboundDelivery | None:
    """Take a due delivery for this worker (its next attempt moves past the lease)."""
    with transaction.atomic():
        delivery = (
            OutboundDelivery.objects.select_for_update(skip_locked=True)
            .select_related("subscription")
            .filter(
                pk=pk,
                status=OutboundDelivery.Status.PENDING,
                next_attempt_at__lte=now,
                subscription__disabled_at__isnull=True,
            )
            .first()
        )
        if delivery is None:
            return None
        delivery.next_attempt_at = now + WEBHOOK_LEASE
        delivery.save(update_fields=["next_attempt_at"])
        return delivery


def record_webhook_attempt(
    delivery: OutboundDelivery,
    now,
    *,
    delivered: bool,
    response_status: int | None,
    error: str,
    max_attempts: int,
) -> OutboundDelivery:
    """Record one attempt: delivered, or the next try after a back-off, or failed for good."""
    with transaction.atomic():
        delivery = (
            OutboundDelivery.objects.select_for_update()
            .select_related("subscription")
            .get(pk=delivery.pk)
        )
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.response_status = response_status
        delivery.last_error = error[:300]
        if delivered:
            delivery.status = OutboundDelivery.Status.DELIVERED
            delivery.delivered_at = now
        elif delivery.attempts >= max_attempts:
            delivery.status = OutboundDelivery.Status.FAILED
        else:
            delivery.next_attempt_at = now + webhook_backoff(delivery.attempts)
        delivery.save()
        return delivery


def expired_webhook_deliveries(before):
    """Deliveries delivered or failed for good, queued before ``before`` (retention, R23)."""
    return OutboundDelivery.objects.filter(
        created_at__lt=before,
        status__in=[OutboundDelivery.Status.DELIVERED, OutboundDelivery.Status.FAILED],
    )


def do_delete_webhook_deliveries_before(before) -> int:
    """Delete finished deliveries older than ``before``. In the caller's transaction."""
    OutboundDelivery.objects.filter(replay_of__in=expired_webhook_deliveries(before)).update(
        replay_of=None
    )
    deleted, _ = expired_webhook_deliveries(before).delete()
    return deleted
