"""Demo victims who chose each channel, so that ``make run`` shows notices going out (to the
configured SMTP server, Notify or print folder) or waiting in the queue when none is set."""

from __future__ import annotations

import datetime as dt
from typing import Any

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import User
from safeshare.kernel.roles import Role
from safeshare.notifications import actions
from safeshare.protocol.models import Protection

CHOICES: list[dict[str, Any]] = [
    {"channel": "email", "email": "victim.one@example.org", "language": "en"},
    {
        "channel": "email",
        "email": "victim.two@example.org",
        "language": "pl",
        "case_updates": True,
    },
    {"channel": "sms", "phone": "07700 900982", "language": "ro"},
    {
        "channel": "letter",
        "postal_address": "Flat 2\n14 Example Street\nBirmingham\nB1 1AA",
        "address_shared_with_perpetrator": False,
        "language": "cy",
    },
    {
        "channel": "email",
        "email": "shared.inbox@example.org",
        "channel_unsafe": True,
        "language": "ar",
    },
    {
        "channel": "sms",
        "phone": "07700 900123",
        "safe_from": dt.time(10),
        "safe_until": dt.time(14),
        "language": "sq",
    },
    {"channel": "none", "language": "vi"},
]


def seed_notifications() -> int:
    """Give demo protections safe contact, one channel each; their opening notices follow."""

    user = User.objects.filter(role=Role.POLICE_OFFICER.value).order_by("id").first()
    if user is None:
        return 0
    actor = Actor.for_user(user)
    protections = list(
        Protection.objects.filter(opened_by=user.organisation, status="active").order_by("id")[
            : len(CHOICES)
        ]
    )
    for protection, choice in zip(protections, CHOICES, strict=False):
        values = {"address_shared_with_perpetrator": True, **choice}
        # Recording safe contact queues the opening notice that had nowhere safe to go.
        actions.do_record_contact_settings(protection.person, actor, **values)
    _seed_advocate_consent(protections, actor)
    actions.deliver_due()
    return len(protections)


def _seed_advocate_consent(protections: list, actor: Actor) -> None:
    """The second demo victim consents that her support organisation's advocates see her
    protection, notices and advice, and that they are emailed her notices."""
    advocate = User.objects.filter(role=Role.ADVOCATE.value).order_by("id").first()
    if advocate is None or len(protections) < 2:
        return
    protection = protections[1]
    actions.do_record_advocate_consent(
        protection.person,
        reference=protection.reference,
        organisation=advocate.organisation,
        notice_channel="email",
        notice_address=advocate.email,
        recorded_by=actor.label,
        recorded_by_org=actor.organisation,
    )
