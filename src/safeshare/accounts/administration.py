"""Administration: organisations, invitations, users and API tokens, as an administrator or the
operator changes them. Pages (``admin_views``) and commands (``safeshare orgs|users|token``)
call these same functions, and every change fires ``kernel.hooks.ADMINISTRATION_CHANGED`` in its
transaction, so the ledger records it (docs/adr/0024-administration.md).

Who may change what: the operator on the command line changes anything; on pages an
administrator changes their own organisation's people and tokens, and administrators of the
operator's organisation (``SAFESHARE_OPERATOR_ORG``) change every organisation.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from safeshare.accounts import actions, webhooks
from safeshare.accounts.actors import Actor
from safeshare.accounts.models import (
    ApiToken,
    ApiTokenBinding,
    Invitation,
    Organisation,
    OutboundDelivery,
    User,
    WebhookSubscription,
)
from safeshare.kernel import hooks
from safeshare.kernel.contact import ContactPoint
from safeshare.kernel.roles import OrganisationKind, Role, Scope, role_allowed_for
from safeshare.kernel.transactions import request_transaction

CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,31}")
JURISDICTIONS = dict(Organisation._meta.get_field("jurisdiction").choices)  # type: ignore[arg-type]


def operator_actor(organisation: Organisation) -> Actor:
    """The operator at the command line, acting as an administrator of ``organisation``."""
    return Actor(organisation=organisation, role=Role.ADMINISTRATOR)


def is_operator(actor: Actor) -> bool:
    """The command line (no person or token), or an administrator of the operator's
    organisation."""
    if actor.role is not Role.ADMINISTRATOR:
        return False
    if actor.user is None and actor.token is None:
        return True
    return bool(settings.SAFESHARE_OPERATOR_ORG) and (
        actor.org_code == settings.SAFESHARE_OPERATOR_ORG
    )


def may_manage(actor: Actor, organisation: Organisation) -> bool:
    """Whether ``actor`` may change this organisation's people and tokens."""
    if actor.role is not Role.ADMINISTRATOR:
        return False
    return is_operator(actor) or actor.organisation.pk == organisation.pk


def _check_manage(actor: Actor, organisation: Organisation) -> None:
    if not may_manage(actor, organisation):
        raise PermissionDenied("You can only manage your own organisation.")


def _check_operator(actor: Actor) -> None:
    if not is_operator(actor):
        raise PermissionDenied("Only the service's operator can change organisations.")


def _log(
    actor: Actor, action: str, organisation: Organisation, record: str, role: str = ""
) -> None:
    hooks.fire(
        hooks.ADMINISTRATION_CHANGED,
        actor,
        action=action,
        organisation_code=organisation.code,
        record=record,
        role=role,
    )


def _org_of(user: User) -> Organisation:
    if user.organisation is None:
        raise ValidationError({"user": f"{user.email} belongs to no organisation."})
    return user.organisation


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- Organisations -------------------------------------------------------------------------


CONTACT_FIELDS = (
    "contact_team",
    "contact_telephone",
    "contact_email",
    "contact_hours",
    "contact_out_of_hours",
)


def _stripped(contact: ContactPoint) -> ContactPoint:
    return ContactPoint(**{key: value.strip() for key, value in contact.as_dict().items()})


def create_organisation(
    actor: Actor | None,
    *,
    code: str,
    name: str,
    kind: str,
    official_code: str = "",
    jurisdiction: str = "england_wales",
    contact_point: str = "",
    contact: ContactPoint | None = None,
) -> Organisation:
    """Create an organisation. ``actor`` None is the operator at the command line. Its contact
    point is ``contact``, or a team name alone (``contact_point``)."""
    if actor is not None:
        _check_operator(actor)
    try:
        kind_enum = OrganisationKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in OrganisationKind)
        raise ValidationError({"kind": f"Choose a kind from: {choices}."}) from None
    code = code.strip().upper()
    if not CODE_PATTERN.fullmatch(code):
        raise ValidationError(
            {
                "code": "Enter a code of up to 32 letters, digits, hyphens and underscores, "
                "starting with a letter or digit, for example WMP or IE-NCCU."
            }
        )
    official_code = official_code.strip()
    if kind_enum is OrganisationKind.POLICE_FORCE and not official_code:
        raise ValidationError(
            {"official_code": "Enter the force's official code (the Home Office force number)."}
        )
    if kind_enum is not OrganisationKind.POLICE_FORCE and official_code:
        raise ValidationError({"official_code": "Only police forces have an official code."})
    if Organisation.objects.filter(code=code).exists():
        raise ValidationError({"code": f"An organisation already has the code {code}."})
    if Organisation.objects.filter(name=name.strip()).exists():
        raise ValidationError({"name": "An organisation already has this name."})
    organisation = Organisation(
        code=code,
        name=name.strip(),
        kind=kind_enum.value,
        official_code=official_code,
        jurisdiction=jurisdiction,
    )
    organisation.contact = _stripped(contact or ContactPoint(team=contact_point))
    organisation.full_clean()
    with request_transaction():
        organisation.save()
        _log(
            actor or operator_actor(organisation),
            "organisation_created",
            organisation,
            f"organisation:{organisation.pk}",
        )
    return organisation


def change_organisation(
    actor: Actor,
    organisation: Organisation,
    *,
    name: str | None = None,
    contact_point: str | None = None,
    contact: ContactPoint | None = None,
    jurisdiction: str | None = None,
) -> Organisation:
    """Rename an organisation or set its contact point and jurisdiction. An organisation's
    own administrators may set its contact point (``contact``, or ``contact_point`` for the team
    name alone); only the operator renames or moves it."""
    renaming = name is not None and name.strip() != organisation.name
    moving = jurisdiction is not None and jurisdiction != organisation.jurisdiction
    if renaming or moving:
        _check_operator(actor)
    else:
        _check_manage(actor, organisation)
    changed = Organisation.objects.get(pk=organisation.pk)
    if renaming:
        assert name is not None
        if Organisation.objects.filter(name=name.strip()).exclude(pk=organisation.pk).exists():
            raise ValidationError({"name": "An organisation already has this name."})
        changed.name = name.strip()
    if contact is not None:
        changed.contact = _stripped(contact)
    elif contact_point is not None:
        changed.contact_team = contact_point.strip()
    if jurisdiction is not None:
        changed.jurisdiction = jurisdiction
    changed.full_clean()
    actions_done = [
        action
        for action, done in (
            ("organisation_renamed", renaming),
            ("jurisdiction_changed", moving),
            ("contact_point_changed", changed.contact != organisation.contact),
        )
        if done
    ]
    if not actions_done:
        return changed
    with request_transaction():
        changed.save(update_fields=["name", *CONTACT_FIELDS, "jurisdiction"])
        for action in actions_done:
            _log(actor, action, changed, f"organisation:{changed.pk}")
    return changed


def deactivate_organisation(actor: Actor, organisation: Organisation) -> int:
    """Stop an organisation using SafeShare: its people are disabled, its tokens revoked and
    its open invitations withdrawn. Returns how many people were disabled."""
    _check_operator(actor)
    if organisation.deactivated_at is not None:
        raise ValidationError({"organisation": "This organisation is already deactivated."})
    now = timezone.now()
    with request_transaction():
        Organisation.objects.filter(pk=organisation.pk).update(deactivated_at=now)
        disabled = User.objects.filter(organisation=organisation, is_active=True).update(
            is_active=False
        )
        ApiToken.objects.filter(organisation=organisation, revoked_at__isnull=True).update(
            revoked_at=now
        )
        Invitation.objects.filter(
            organisation=organisation, accepted_at__isnull=True, withdrawn_at__isnull=True
        ).update(withdrawn_at=now)
        _log(actor, "organisation_deactivated", organisation, f"organisation:{organisation.pk}")
    organisation.deactivated_at = now
    return disabled


# --- Invitations and users -----------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation: the link is shown (or sent) once and never stored."""

    invitation: Invitation
    link: str
    emailed: bool


def invitation_link(secret: str) -> str:
    base = settings.SAFESHARE_PUBLIC_URL.rstrip("/")
    return f"{base}{reverse('administration:accept-invitation')}?code={secret}"


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise ValidationError({"role": f"Choose a role from: {choices}."}) from None


KIND_PHRASES = {
    OrganisationKind.POLICE_FORCE: "a police force",
    OrganisationKind.IE_UNIT: "an Immigration Enforcement unit",
    OrganisationKind.OVERSIGHT_BODY: "an oversight body",
    OrganisationKind.SUPPORT_ORGANISATION: "a support organisation",
    OrganisationKind.NHS_BODY: "an NHS body",
    OrganisationKind.LOCAL_AUTHORITY: "a local authority",
    OrganisationKind.NRM_FIRST_RESPONDER: "an NRM first responder",
}


def _check_role(organisation: Organisation, role: Role) -> None:
    if not role_allowed_for(organisation.kind, role):
        phrase = KIND_PHRASES[organisation.kind_enum]
        allowed = sorted(r.label for r in Role if role_allowed_for(organisation.kind, r))
        raise ValidationError(
            {
                "role": f"{phrase[0].upper()}{phrase[1:]} cannot hold the "
                f"role {role.label}. It may hold: {', '.join(allowed)}."
            }
        )


def invite_user(
    actor: Actor | None,
    *,
    organisation: Organisation,
    role: Role | str,
    email: str,
    invited_by: User | None = None,
) -> IssuedInvitation:
    """Invite someone to sign in for ``organisation`` with ``role``: a one-time link that
    works for ``SAFESHARE_INVITATION_HOURS``. An earlier open invitation to the same address
    is withdrawn. The link is emailed when the service has an email server."""
    actor = actor or operator_actor(organisation)
    _check_manage(actor, organisation)
    role = _role(role)
    if organisation.deactivated_at is not None:
        raise ValidationError({"organisation": "This organisation has been deactivated."})
    _check_role(organisation, role)
    email = User.objects.normalize_email(email.strip()).lower()
    try:
        from django.core.validators import validate_email

        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": "Enter an email address in the correct format, like name@example.org"}
        ) from None
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": "Someone already signs in with this email address: change their role."}
        )
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation(
        email=email,
        organisation=organisation,
        role=role.value,
        secret_hash=_hash(secret),
        created_at=now,
        expires_at=now + timedelta(hours=settings.SAFESHARE_INVITATION_HOURS),
        invited_by=invited_by,
    )
    link = invitation_link(secret)
    emailed = bool(settings.SAFESHARE_EMAIL_NOTICES)
    with request_transaction():
        Invitation.objects.filter(
            email=email, accepted_at__isnull=True, withdrawn_at__isnull=True
        ).update(withdrawn_at=now)
        invitation.save()
        _log(actor, "user_invited", organisation, f"invitation:{invitation.pk}", role.value)
        if emailed:
            hooks.on_commit(lambda: _send_invitation(invitation, link))
    return IssuedInvitation(invitation=invitation, link=link, emailed=emailed)


def _send_invitation(invitation: Invitation, link: str) -> None:
    hours = settings.SAFESHARE_INVITATION_HOURS
    send_mail(
        "SafeShare: you have been invited to sign in",
        f"You have been invited to sign in to SafeShare for {invitation.organisation.name} "
        f"as {invitation.role_enum.label.lower()}.\n\n"
        f"Open this link within {hours} hours to choose your password:\n{link}\n\n"
        "The link works once. If you did not expect this email, you can ignore it.",
        None,
        [invitation.email],
    )


def find_open_invitation(secret: str) -> Invitation | None:
    """The open invitation for a link's code, or None (unknown, used, withdrawn or expired)."""
    if not secret or len(secret) > 100:
        return None
    invitation = (
        Invitation.objects.select_related("organisation").filter(secret_hash=_hash(secret)).first()
    )
    if invitation is None or not invitation.is_open():
        return None
    if invitation.organisation.deactivated_at is not None:
        return None
    return invitation


def accept_invitation(
    secret: str, *, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Create the invited person's account; the link then stops working."""
    invitation = find_open_invitation(secret)
    if invitation is None:
        raise ValidationError(
            {
                "code": "This invitation link has expired or has already been used. "
                "Ask your administrator for a new one."
            }
        )
    candidate = User(
        email=invitation.email, first_name=first_name.strip(), last_name=last_name.strip()
    )
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    organisation = invitation.organisation
    try:
        with request_transaction():
            taken = Invitation.objects.filter(
                pk=invitation.pk, accepted_at__isnull=True, withdrawn_at__isnull=True
            ).update(accepted_at=timezone.now())
            if taken != 1:
                raise ValidationError({"code": "This invitation link has already been used."})
            user = actions.do_create_user(
                email=invitation.email,
                password=password,
                organisation=organisation,
                role=invitation.role,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
            )
            Invitation.objects.filter(pk=invitation.pk).update(user=user)
            actor = Actor(organisation=organisation, role=Role(user.role), user=user)
            _log(actor, "invitation_accepted", organisation, f"user:{user.pk}", user.role)
    except IntegrityError:
        raise ValidationError(
            {"code": "Someone already signs in with this email address."}
        ) from None
    return user


def withdraw_invitation(actor: Actor, invitation: Invitation) -> None:
    _check_manage(actor, invitation.organisation)
    with request_transaction():
        Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            withdrawn_at=timezone.now()
        )
        _log(actor, "invitation_withdrawn", invitation.organisation, f"invitation:{invitation.pk}")


def change_role(actor: Actor, user: User, role: Role | str) -> User:
    """Give a person another role their organisation may hold. Their tokens, which act with
    the old role, are revoked."""
    _check_manage(actor, _org_of(user))
    role = _role(role)
    _check_role(_org_of(user), role)
    if actor.user is not None and actor.user.pk == user.pk:
        raise ValidationError({"role": "You cannot change your own role."})
    if role.value == user.role:
        return user
    with request_transaction():
        User.objects.filter(pk=user.pk).update(role=role.value)
        _revoke_tokens_of(user)
        _log(actor, "role_changed", _org_of(user), f"user:{user.pk}", role.value)
    user.role = role.value
    return user


def _tokens_of(user: User):
    return ApiToken.objects.filter(
        Q(binding__person=user) | Q(binding__system_owner=user) | Q(created_by=user),
        revoked_at__isnull=True,
    )


def _revoke_tokens_of(user: User) -> int:
    return ApiToken.objects.filter(
        pk__in=list(_tokens_of(user).values_list("pk", flat=True))
    ).update(revoked_at=timezone.now())


def disable_user(actor: Actor, user: User) -> int:
    """A leaver: they can no longer sign in (any session ends at its next request), and the
    tokens that act for them, that they own or that they made are revoked. Returns how many
    tokens were revoked."""
    _check_manage(actor, _org_of(user))
    if actor.user is not None and actor.user.pk == user.pk:
        raise ValidationError({"user": "You cannot disable your own account."})
    if not user.is_active:
        raise ValidationError({"user": f"{user.email} is already disabled."})
    with request_transaction():
        User.objects.filter(pk=user.pk).update(is_active=False)
        revoked = _revoke_tokens_of(user)
        _log(actor, "user_disabled", _org_of(user), f"user:{user.pk}", user.role)
    user.is_active = False
    return revoked


def enable_user(actor: Actor, user: User) -> None:
    """Let a disabled person sign in again (their revoked tokens stay revoked)."""
    _check_manage(actor, _org_of(user))
    if user.is_active:
        raise ValidationError({"user": f"{user.email} can already sign in."})
    if _org_of(user).deactivated_at is not None:
        raise ValidationError({"user": "Their organisation has been deactivated."})
    with request_transaction():
        User.objects.filter(pk=user.pk).update(
            is_active=True, failed_sign_ins=0, locked_until=None
        )
        _log(actor, "user_enabled", _org_of(user), f"user:{user.pk}", user.role)
    user.is_active = True


# --- API tokens ----------------------------------------------------------------------------


def create_token(
    actor: Actor,
    *,
    organisation: Organisation,
    role: Role | str,
    name: str,
    scopes: list[Scope | str] | None = None,
    person: User | None = None,
    system_name: str = "",
    system_owner: User | None = None,
    expires_at=None,
) -> actions.IssuedToken:
    _check_manage(actor, organisation)
    role = _role(role)
    if organisation.deactivated_at is not None:
        raise ValidationError({"organisation": "This organisation has been deactivated."})
    with request_transaction():
        issued = actions.do_create_api_token(
            organisation=organisation,
            role=role,
            name=name,
            scopes=scopes,
            created_by=actor.user,
            person=person,
            system_name=system_name,
            system_owner=system_owner,
            expires_at=expires_at,
        )
        _log(actor, "token_created", organisation, f"token:{issued.token.pk}", role.value)
    return issued


def rotate_token(actor: Actor, token: ApiToken, *, overlap=timedelta(hours=24)):
    """Issue the token's successor (``actions.do_rotate_api_token``'s rule: same organisation,
    role, scopes and binding; the old one works for ``overlap`` more), with its ledger entry."""
    _check_manage(actor, token.organisation)
    if token.revoked_at is not None:
        raise ValidationError({"token": "A revoked token cannot be rotated."})
    binding = getattr(token, "binding", None)
    if binding is None:
        raise ValidationError(
            {"token": "This token is not bound to a person or a system: create a new one."}
        )
    base = token.name.split(" (from ")[0]
    name = f"{base} (from {timezone.localdate():%Y-%m-%d}, {secrets.token_hex(2)})"
    with request_transaction():
        issued = actions.do_create_api_token(
            organisation=token.organisation,
            role=token.role,
            name=name[:100],
            scopes=list(token.scopes),
            created_by=actor.user,
            person=binding.person,
            system_name=binding.system_name,
            system_owner=binding.system_owner,
            replaces=token,
        )
        ends = min(binding.expires_at, timezone.now() + overlap)
        ApiTokenBinding.objects.filter(pk=binding.pk).update(expires_at=ends)
        _log(actor, "token_rotated", token.organisation, f"token:{token.pk}", token.role)
    return issued


def revoke_token(actor: Actor, token: ApiToken) -> None:
    _check_manage(actor, token.organisation)
    if token.revoked_at is not None:
        raise ValidationError({"token": "This token is already revoked."})
    with request_transaction():
        actions.do_revoke_api_token(token)
        _log(actor, "token_revoked", token.organisation, f"token:{token.pk}", token.role)


# --- Outbound webhooks ---------------------------------------------------------------------


def create_webhook(
    actor: Actor, *, organisation: Organisation, name: str, url: str, events: list[str]
) -> WebhookSubscription:
    """Subscribe an address to some of the organisation's events; its secret is shown once."""
    _check_manage(actor, organisation)
    if organisation.deactivated_at is not None:
        raise ValidationError({"organisation": "This organisation has been deactivated."})
    offered = webhooks.events_for(organisation)
    if not offered:
        raise ValidationError(
            {"events": "Only police forces and Immigration Enforcement units receive webhooks."}
        )
    if not name.strip():
        raise ValidationError({"name": "Enter a name for the receiving system."})
    if not events:
        raise ValidationError({"events": "Choose at least one event."})
    unknown = sorted(set(events) - set(offered))
    if unknown:
        raise ValidationError(
            {"events": f"{organisation.name} cannot receive: {', '.join(unknown)}."}
        )
    url = webhooks.check_url(url)
    with request_transaction():
        subscription = actions.do_create_webhook_subscription(
            organisation=organisation, name=name, url=url, events=events, created_by=actor.user
        )
        _log(actor, "webhook_created", organisation, f"webhook:{subscription.pk}")
    return subscription


def disable_webhook(actor: Actor, subscription: WebhookSubscription) -> None:
    _check_manage(actor, subscription.organisation)
    if subscription.disabled_at is not None:
        raise ValidationError({"subscription": "This subscription is already disabled."})
    with request_transaction():
        actions.do_disable_webhook_subscription(subscription)
        _log(actor, "webhook_disabled", subscription.organisation, f"webhook:{subscription.pk}")


#: How long, at most, deliveries may carry the old secret's signature after a rotation.
MAX_SECRET_OVERLAP_HOURS = 7 * 24


def rotate_webhook_secret(
    actor: Actor, subscription: WebhookSubscription, *, overlap_hours: int = 24
) -> WebhookSubscription:
    """A new signing secret, shown once. For ``overlap_hours`` deliveries are signed with the
    old secret as well (as Stripe does), then with the new one only."""
    _check_manage(actor, subscription.organisation)
    if subscription.disabled_at is not None:
        raise ValidationError({"subscription": "This subscription is disabled."})
    if not 0 <= overlap_hours <= MAX_SECRET_OVERLAP_HOURS:
        raise ValidationError(
            {
                "overlap_hours": "Enter a number of hours from 0 to "
                f"{MAX_SECRET_OVERLAP_HOURS} (7 days)."
            }
        )
    with request_transaction():
        rotated = actions.do_rotate_webhook_secret(subscription, timedelta(hours=overlap_hours))
        _log(
            actor,
            "webhook_secret_rotated",
            subscription.organisation,
            f"webhook:{subscription.pk}",
        )
    return rotated


def replay_webhook_delivery(actor: Actor, delivery: OutboundDelivery) -> OutboundDelivery:
    """Queue the delivery's event again; the worker sends it."""
    organisation = delivery.subscription.organisation
    _check_manage(actor, organisation)
    with request_transaction():
        replay = actions.do_replay_webhook_delivery(delivery)
        _log(actor, "webhook_replayed", organisation, f"webhook:{delivery.subscription_id}")
    return replay
