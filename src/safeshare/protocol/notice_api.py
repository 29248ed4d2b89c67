"""API for a protected person's safe contact for notices, and what was sent to them."""

import datetime as dt
import uuid

from django.db.models import Q
from ninja import Router, Schema, Status
from pydantic import Field

from safeshare.accounts.actors import Actor
from safeshare.api_kit import ApiProblem, require_scope
from safeshare.api_schemas import StrictSchema
from safeshare.idempotency.service import idempotent
from safeshare.kernel.roles import Role, Scope
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.notifications import actions
from safeshare.notifications.models import Channel, Notification
from safeshare.protocol.models import Protection
from safeshare.protocol.references import normalise_reference

router = Router(tags=["Notices to victims"])


class ContactSettingsIn(StrictSchema):
    channel: Channel = Field(description="email, sms, letter or none")
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    postal_address: str = Field(default="", max_length=500)
    address_shared_with_perpetrator: bool = Field(
        description="True, or not known, means no letter is ever sent there (R29)."
    )
    channel_unsafe: bool = False
    safe_from: dt.time | None = Field(default=None, description="UK time, like 09:00")
    safe_until: dt.time | None = Field(default=None, description="UK time, like 17:00")
    language: str = Field(default="en", max_length=10)
    case_updates: bool = Field(default=False, description="Opted into case updates (R28).")


class ContactSettingsOut(Schema):
    channel: str
    language: str
    safe_from: dt.time | None
    safe_until: dt.time | None
    case_updates: bool
    can_be_reached: bool
    reason_not_reached: str | None
    recorded_at: dt.datetime


class NotificationOut(Schema):
    id: uuid.UUID
    event: str
    channel: str
    language: str
    status: str
    reason: str | None
    attempts: int
    created_at: dt.datetime
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None


def _force_protection(request, reference: str) -> Protection:
    client = request.auth
    try:
        normalised = normalise_reference(reference)
    except ValueError as error:
        raise ApiProblem(404, "not_found", "No protection has that reference.") from error
    protection = (
        Protection.objects.filter(reference=normalised)
        .filter(Q(cases__force=client.organisation) | Q(opened_by=client.organisation))
        .distinct()
        .first()
    )
    if protection is None:
        raise ApiProblem(404, "not_found", "No protection has that reference.")
    return protection


@router.post(
    "/protections/{reference}/contact-settings",
    response={201: ContactSettingsOut},
    summary="Record how and when notices may safely reach the protected person",
)
@idempotent
def record_contact_settings(request, reference: str, payload: ContactSettingsIn):
    require_scope(request, Scope.CASES_WRITE, Role.POLICE_OFFICER)
    protection = _force_protection(request, reference)
    saved = actions.do_record_contact_settings(
        protection.person,
        Actor.for_token(request.auth.token),
        **payload.model_dump(),
    )
    reach = actions.reach_for(protection.person)
    return Status(
        201,
        ContactSettingsOut(
            channel=saved.channel,
            language=saved.language,
            safe_from=saved.safe_from,
            safe_until=saved.safe_until,
            case_updates=saved.case_updates,
            can_be_reached=not reach.withheld,
            reason_not_reached=reach.withheld or None,
            recorded_at=saved.recorded_at,
        ),
    )


@router.get(
    "/protections/{reference}/notifications",
    response=list[NotificationOut],
    summary="Notices to the protected person and what became of each",
)
def list_notifications(request, reference: str):
    require_scope(request, Scope.PROTECTIONS_READ, Role.POLICE_OFFICER, Role.PROTOCOL_OFFICER)
    protection = _force_protection(request, reference)
    rows = Notification.objects.filter(protection_reference=protection.reference)
    do_record_personal_data_read(
        Actor.for_token(request.auth.token), [protection.person], "api_notifications_read"
    )
    return [
        NotificationOut(
            id=n.public_id,
            event=n.event,
            channel=n.channel,
            language=n.language,
            status=n.status,
            reason=n.withheld_reason or n.last_error or None,
            attempts=n.attempts,
            created_at=n.created_at,
            sent_at=n.sent_at,
            delivered_at=n.delivered_at,
        )
        for n in rows[:200]
    ]
