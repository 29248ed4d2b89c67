"""Administration pages: organisations, people and API tokens, and accepting an invitation.

Thin views over ``accounts.administration`` (the commands call the same functions). An
administrator sees and changes their own organisation's people and tokens; administrators of the
operator's organisation see every organisation. Changes are POSTs that redirect (POST-redirect-
GET), except a new token, whose secret is shown once in the POST's answer and never stored.
"""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from safeshare.accounts import administration, webhooks
from safeshare.accounts.actors import Actor
from safeshare.accounts.admin_forms import (
    AcceptInvitationForm,
    ContactPointForm,
    InvitationForm,
    OrganisationForm,
    TokenForm,
    WebhookForm,
)
from safeshare.accounts.models import (
    ApiToken,
    Invitation,
    Organisation,
    OutboundDelivery,
    User,
    WebhookSubscription,
)
from safeshare.accounts.views import PENDING_NEXT_KEY, PENDING_USER_KEY
from safeshare.kernel.roles import Role, role_allowed_for


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            if name not in form.fields and name.removeprefix("contact_") in form.fields:
                name = name.removeprefix("contact_")
            for problem in problems:
                form.add_error(name if name in form.fields else None, problem)
        return
    for problem in error.messages:
        form.add_error(None, problem)


def _managed_organisations(actor: Actor):
    if administration.is_operator(actor):
        return Organisation.objects.all()
    return Organisation.objects.filter(pk=actor.organisation.pk)


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _roles_for(organisation: Organisation) -> list[Role]:
    return [r for r in Role if role_allowed_for(organisation.kind, r)]


# --- Organisations -------------------------------------------------------------------------


def organisations(request: HttpRequest) -> HttpResponse:
    actor = Actor.for_user(request.user)
    operator = administration.is_operator(actor)
    form = OrganisationForm(_posted(request) if request.POST.get("action") == "create" else None)
    contact_form = ContactPointForm(
        _posted(request) if request.POST.get("action") == "contact" else None,
        initial=actor.organisation.contact.as_dict(),
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "create" and form.is_valid():
                created = administration.create_organisation(actor, **form.cleaned_data)
                messages.success(request, f"{created.name} ({created.code}) created")
                return redirect("administration:organisations")
            if action == "contact" and contact_form.is_valid():
                administration.change_organisation(
                    actor,
                    actor.organisation,
                    contact=contact_form.cleaned_data["contact"],
                )
                messages.success(request, "Contact point saved")
                return redirect("administration:organisations")
            if action == "deactivate":
                target = get_object_or_404(
                    _managed_organisations(actor), code=request.POST.get("code", "")
                )
                administration.deactivate_organisation(actor, target)
                messages.success(request, f"{target.name} deactivated")
                return redirect("administration:organisations")
            if action not in ("create", "contact"):
                raise Http404("No such action.")
        except PermissionDenied:
            raise
        except ValidationError as error:
            _add_errors(form if action == "create" else contact_form, error)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/admin/organisations.html",
        {
            "organisations": _managed_organisations(actor).prefetch_related("users"),
            "operator": operator,
            "form": form,
            "contact_form": contact_form,
            "roles_for": {o.code: _roles_for(o) for o in _managed_organisations(actor)},
        },
        status=status,
    )


# --- People --------------------------------------------------------------------------------


def people(request: HttpRequest) -> HttpResponse:
    actor = Actor.for_user(request.user)
    managed = _managed_organisations(actor)
    organisation = actor.organisation
    if request.POST.get("org") or request.GET.get("org"):
        code = request.POST.get("org") or request.GET.get("org", "")
        organisation = get_object_or_404(managed, code=code)
    form = InvitationForm(
        _posted(request) if request.POST.get("action") == "invite" else None,
        roles=_roles_for(organisation),
    )
    issued = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite":
                if form.is_valid():
                    issued = administration.invite_user(
                        actor,
                        organisation=organisation,
                        role=form.cleaned_data["role"],
                        email=form.cleaned_data["email"],
                        invited_by=request.user,  # type: ignore[arg-type]
                    )
                    if issued.emailed:
                        messages.success(request, f"Invitation sent to {issued.invitation.email}")
                        return redirect(f"{request.path}?org={organisation.code}")
                    form = InvitationForm(roles=_roles_for(organisation))
            elif action in ("disable", "enable", "role"):
                person = get_object_or_404(
                    User.objects.filter(organisation__in=managed), pk=request.POST.get("user")
                )
                if action == "disable":
                    revoked = administration.disable_user(actor, person)
                    messages.success(
                        request,
                        f"{person.email} can no longer sign in; {revoked} tokens revoked",
                    )
                elif action == "enable":
                    administration.enable_user(actor, person)
                    messages.success(request, f"{person.email} can sign in again")
                else:
                    administration.change_role(actor, person, request.POST.get("role", ""))
                    messages.success(request, f"{person.email} is now {person.role_enum.label}")
                return redirect(f"{request.path}?org={organisation.code}")
            elif action == "withdraw":
                invitation = get_object_or_404(
                    Invitation.objects.filter(organisation__in=managed),
                    pk=request.POST.get("invitation"),
                )
                administration.withdraw_invitation(actor, invitation)
                messages.success(request, f"Invitation to {invitation.email} withdrawn")
                return redirect(f"{request.path}?org={organisation.code}")
            else:
                raise Http404("No such action.")
        except ValidationError as error:
            if action == "invite":
                _add_errors(form, error)
            else:
                for problem in error.messages:
                    messages.error(request, problem)
                return redirect(f"{request.path}?org={organisation.code}")
    now = timezone.now()
    return render(
        request,
        "accounts/admin/people.html",
        {
            "organisation": organisation,
            "organisations": managed,
            "people": User.objects.filter(organisation=organisation).order_by("email"),
            "invitations": [
                i
                for i in Invitation.objects.filter(
                    organisation=organisation, accepted_at__isnull=True, withdrawn_at__isnull=True
                )
                if i.expires_at > now
            ],
            "roles": _roles_for(organisation),
            "form": form,
            "issued": issued,
        },
        status=400 if request.method == "POST" and issued is None else 200,
    )


# --- API tokens ----------------------------------------------------------------------------


def tokens(request: HttpRequest) -> HttpResponse:
    actor = Actor.for_user(request.user)
    managed = _managed_organisations(actor)
    organisation = actor.organisation
    if request.POST.get("org") or request.GET.get("org"):
        organisation = get_object_or_404(
            managed, code=request.POST.get("org") or request.GET.get("org", "")
        )
    roles: list[Role] = [r for r in _roles_for(organisation) if r is not Role.ADMINISTRATOR]
    roles = roles or _roles_for(organisation)
    form = TokenForm(
        _posted(request) if request.POST.get("action") == "create" else None, roles=roles
    )
    issued = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "create":
                if form.is_valid():
                    expires_on = form.cleaned_data.get("expires_on")
                    expires_at = (
                        timezone.make_aware(datetime.combine(expires_on, time(23, 59)))
                        if expires_on
                        else None
                    )
                    issued = administration.create_token(
                        actor,
                        organisation=organisation,
                        role=form.cleaned_data["role"],
                        name=form.cleaned_data["name"],
                        scopes=form.cleaned_data["scopes"] or None,
                        system_name=form.cleaned_data["system_name"],
                        system_owner=request.user,  # type: ignore[arg-type]
                        expires_at=expires_at,
                    )
                    form = TokenForm(roles=roles)
            elif action in ("rotate", "revoke"):
                token = get_object_or_404(
                    ApiToken.objects.filter(organisation__in=managed),
                    prefix=request.POST.get("token"),
                )
                if action == "revoke":
                    administration.revoke_token(actor, token)
                    messages.success(request, f"Token {token.name} revoked")
                    return redirect(f"{request.path}?org={organisation.code}")
                issued = administration.rotate_token(actor, token)
            else:
                raise Http404("No such action.")
        except ValidationError as error:
            if action == "create":
                _add_errors(form, error)
            else:
                for problem in error.messages:
                    messages.error(request, problem)
                return redirect(f"{request.path}?org={organisation.code}")
    return render(
        request,
        "accounts/admin/tokens.html",
        {
            "organisation": organisation,
            "organisations": managed,
            "tokens": ApiToken.objects.filter(organisation=organisation).select_related(
                "binding", "binding__person", "binding__system_owner"
            ),
            "form": form,
            "issued": issued,
            "days": settings.SAFESHARE_API_TOKEN_DAYS,
        },
        status=400 if request.method == "POST" and issued is None else 200,
    )


# --- Outbound webhooks ---------------------------------------------------------------------

DELIVERIES_SHOWN = 20


def webhooks_page(request: HttpRequest) -> HttpResponse:
    """The organisation's webhook subscriptions, each with its latest deliveries and their
    attempts; create, disable, and replay a delivery (the worker sends it)."""
    actor = Actor.for_user(request.user)
    managed = _managed_organisations(actor)
    organisation = actor.organisation
    if request.POST.get("org") or request.GET.get("org"):
        organisation = get_object_or_404(
            managed, code=request.POST.get("org") or request.GET.get("org", "")
        )
    offered = webhooks.events_for(organisation)
    creating = request.POST.get("action") == "create"
    form = WebhookForm(_posted(request) if creating else None, events=offered)
    created = rotated = None
    back = f"{request.path}?org={organisation.code}"
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "create":
                if form.is_valid():
                    created = administration.create_webhook(
                        actor, organisation=organisation, **form.cleaned_data
                    )
                    form = WebhookForm(events=offered)
            elif action == "disable":
                subscription = get_object_or_404(
                    WebhookSubscription.objects.filter(organisation=organisation),
                    pk=request.POST.get("subscription", "0") or "0",
                )
                administration.disable_webhook(actor, subscription)
                messages.success(request, f"{subscription.name} disabled")
                return redirect(back)
            elif action == "rotate":
                subscription = get_object_or_404(
                    WebhookSubscription.objects.filter(organisation=organisation),
                    pk=request.POST.get("subscription", "0") or "0",
                )
                hours = request.POST.get("overlap_hours", "24").strip()
                if not hours.isdigit():
                    raise ValidationError(
                        {"overlap_hours": "Enter the overlap as a whole number of hours."}
                    )
                rotated = administration.rotate_webhook_secret(
                    actor, subscription, overlap_hours=int(hours)
                )
            elif action == "replay":
                delivery = get_object_or_404(
                    OutboundDelivery.objects.filter(subscription__organisation=organisation),
                    public_id=request.POST.get("delivery", ""),
                )
                administration.replay_webhook_delivery(actor, delivery)
                messages.success(request, "The event will be sent again within a minute")
                return redirect(back)
            else:
                raise Http404("No such action.")
        except ValidationError as error:
            if action == "create":
                _add_errors(form, error)
            else:
                for problem in error.messages:
                    messages.error(request, problem)
                return redirect(back)
    subscriptions = list(WebhookSubscription.objects.filter(organisation=organisation))
    now = timezone.now()
    for subscription in subscriptions:
        subscription.overlap_open = bool(  # type: ignore[attr-defined]
            subscription.previous_secret_until and subscription.previous_secret_until > now
        )
        subscription.latest = list(  # type: ignore[attr-defined]
            subscription.deliveries.all()[:DELIVERIES_SHOWN]
        )
    return render(
        request,
        "accounts/admin/webhooks.html",
        {
            "organisation": organisation,
            "organisations": managed,
            "subscriptions": subscriptions,
            "offered": offered,
            "form": form,
            "created": created,
            "rotated": rotated,
            "max_overlap_hours": administration.MAX_SECRET_OVERLAP_HOURS,
        },
        status=400 if request.method == "POST" and created is None and rotated is None else 200,
    )


# --- Accepting an invitation ---------------------------------------------------------------


@never_cache
def accept_invitation(request: HttpRequest) -> HttpResponse:
    """The invited person chooses a password. Staff roles then set up two-step sign-in before
    they are signed in; others sign in with their new password."""
    code = request.POST.get("code") or request.GET.get("code", "")
    invitation = administration.find_open_invitation(code)
    if invitation is None:
        return render(
            request, "accounts/admin/invitation_expired.html", status=404 if code else 200
        )
    form = AcceptInvitationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = administration.accept_invitation(
                code,
                password=form.cleaned_data["password"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if user.role_enum.is_staff_role:
                request.session.cycle_key()
                request.session[PENDING_USER_KEY] = user.pk
                request.session[PENDING_NEXT_KEY] = "/"
                return redirect("accounts:second-factor-enrol")
            messages.success(request, "Your account is ready: sign in with your new password")
            return redirect("accounts:sign-in")
    return render(
        request,
        "accounts/admin/accept_invitation.html",
        {"form": form, "invitation": invitation, "code": code},
        status=400 if form.is_bound else 200,
    )
