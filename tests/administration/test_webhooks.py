"""Outbound webhooks (docs/adr/0038): queued with the change, sent only by the worker, signed,
tried again with back-off, a failing address holding up nobody, replayed by an administrator.
Every delivery goes to a real HTTP server the test starts."""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeshare.accounts import administration, webhooks
from safeshare.accounts.actors import Actor
from safeshare.accounts.models import OutboundDelivery, WebhookSubscription
from safeshare.kernel.roles import Role
from safeshare.ledger.models import LedgerEntry
from safeshare.notifications import ie_webhook
from safeshare.worker.jobs import send_outbound_webhooks
from tests.support.factories.accounts import make_user
from tests.support.factories.referrals import ProtectionFactory, ie_unit

pytestmark = pytest.mark.django_db


@dataclass
class Receiver:
    url: str = ""
    received: list[tuple[str, Message, bytes]] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)
    """Status to answer per path (200 when not set)."""


@pytest.fixture
def receiver():
    stand_in = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            stand_in.received.append((self.path, self.headers, body))
            self.send_response(stand_in.answers.get(self.path, 200))
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()


def officer_and_force():
    officer = make_user(Role.POLICE_OFFICER)
    return officer, officer.organisation


def subscribe(organisation, url: str, events=None, name="Records system"):
    return administration.create_webhook(
        administration.operator_actor(organisation),
        organisation=organisation,
        name=name,
        url=url,
        events=events or list(webhooks.events_for(organisation)),
    )


def test_a_new_protection_is_queued_with_it_and_sent_signed_only_by_the_worker(receiver):
    officer, force = officer_and_force()
    subscription = subscribe(force, f"{receiver.url}/hook")
    protection = ProtectionFactory.create(actor=Actor.for_user(officer))
    delivery = OutboundDelivery.objects.get(subscription=subscription)
    assert delivery.event_type == "protection.opened"
    assert receiver.received == []  # nothing is sent from the request

    assert send_outbound_webhooks() == 1

    [(path, headers, body)] = receiver.received
    assert path == "/hook"
    assert headers["SafeShare-Event"] == "protection.opened"
    assert headers["SafeShare-Delivery"] == str(delivery.public_id)
    assert webhooks.verify_signature(subscription.secret, headers["SafeShare-Signature"], body)
    assert not webhooks.verify_signature("whsec_other", headers["SafeShare-Signature"], body)
    assert not webhooks.verify_signature(
        subscription.secret, headers["SafeShare-Signature"], body + b" "
    )
    sent = json.loads(body)
    assert sent["type"] == "protection.opened"
    assert sent["organisation_code"] == force.code
    assert sent["data"]["protection_reference"] == protection.reference
    assert sent["data"]["status"] == protection.status
    given = protection.person.identities.first().given_names
    assert given.lower() not in body.decode().lower()  # references and codes, no names
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 200)
    assert send_outbound_webhooks() == 0  # delivered once


def test_an_old_signature_is_refused_by_the_receivers_check():
    body = b'{"a":1}'
    now = timezone.now()
    header = webhooks.signature("whsec_x", int(now.timestamp()) - 301, body)
    assert not webhooks.verify_signature("whsec_x", header, body, now)
    header = webhooks.signature("whsec_x", int(now.timestamp()) - 299, body)
    assert webhooks.verify_signature("whsec_x", header, body, now)
    assert not webhooks.verify_signature("whsec_x", "v1=abc", body, now)


def test_a_failing_address_is_tried_again_later_and_holds_up_nobody(receiver):
    officer, force = officer_and_force()
    receiver.answers["/down"] = 503
    down = subscribe(force, f"{receiver.url}/down", name="Down")
    up = subscribe(force, f"{receiver.url}/up", name="Up")
    actor = Actor.for_user(officer)
    ProtectionFactory.create(actor=actor)
    ProtectionFactory.create(actor=actor)
    assert OutboundDelivery.objects.filter(subscription=down).count() == 2

    now = timezone.now()
    tried, delivered = webhooks.send_due(now)
    # Both to the working address; one to the failing one, whose second waits for a later pass.
    assert (tried, delivered) == (3, 2)
    assert [r[0] for r in receiver.received].count("/down") == 1
    failed = OutboundDelivery.objects.filter(subscription=down, attempts=1).get()
    assert failed.status == "pending"
    assert failed.response_status == 503
    assert failed.last_error == "HTTP 503"
    assert failed.next_attempt_at == now + dt.timedelta(minutes=1)
    assert OutboundDelivery.objects.filter(subscription=up, status="delivered").count() == 2

    # Back-off doubles; after the last attempt the delivery is failed for good.
    second_try = failed.next_attempt_at
    assert webhooks.send_due(second_try) == (1, 0)  # one of the two waiting, not both
    failed.refresh_from_db()
    if failed.attempts == 2:
        assert failed.next_attempt_at == second_try + dt.timedelta(minutes=2)
    later = second_try
    for _ in range(2 * webhooks.MAX_ATTEMPTS):
        later += dt.timedelta(hours=7)  # past the longest back-off
        webhooks.send_due(later)
    failed.refresh_from_db()
    assert failed.status == "failed"
    assert failed.attempts == webhooks.MAX_ATTEMPTS


def test_an_address_that_does_not_answer_is_recorded(receiver):
    _, force = officer_and_force()
    subscription = subscribe(force, "http://127.0.0.1:9/nobody")  # the discard port: refused
    webhooks.queue_event(force, "protection.opened", {"protection_reference": "P-1"})
    assert webhooks.send_due() == (1, 0)
    delivery = OutboundDelivery.objects.get(subscription=subscription)
    assert delivery.response_status is None
    assert delivery.last_error


def test_an_ie_unit_hears_of_its_clearances(receiver, settings):
    settings.SAFESHARE_IE_WEBHOOK_URL = ""
    unit = ie_unit()
    subscription = subscribe(unit, f"{receiver.url}/ie", events=["clearance.suspended"])
    ie_webhook.queue_ie_message(unit, "suspended", {"clearance_id": "c-1", "state": "suspended"})
    ie_webhook.queue_ie_message(unit, "hold_resolved", {"clearance_id": "c-2"})  # not chosen
    assert webhooks.send_due() == (1, 1)
    [(_, headers, body)] = receiver.received
    assert headers["SafeShare-Event"] == "clearance.suspended"
    assert json.loads(body)["data"]["clearance_id"] == "c-1"
    assert subscription.deliveries.count() == 1


def test_an_administrator_subscribes_sees_the_deliveries_and_replays_one(receiver):
    officer, force = officer_and_force()
    admin = make_user(Role.ADMINISTRATOR, organisation=force)
    client = Client()
    client.force_login(admin)
    page = reverse("administration:webhooks")
    entries = LedgerEntry.objects.filter(kind="account_changed").count()

    response = client.post(
        page,
        {
            "action": "create",
            "name": "Niche RMS",
            "url": f"{receiver.url}/rms",
            "events": ["protection.opened", "protection.closed"],
        },
    )
    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get(organisation=force)
    assert subscription.secret in response.content.decode()  # shown once, on creation
    assert subscription.secret not in client.get(page).content.decode()

    ProtectionFactory.create(actor=Actor.for_user(officer))
    send_outbound_webhooks()
    delivery = subscription.deliveries.get()
    shown = client.get(page).content.decode()
    assert str(delivery.public_id) in shown
    assert "Delivered: answer 200" in shown

    response = client.post(page, {"action": "replay", "delivery": str(delivery.public_id)})
    assert response.status_code == 302
    replay = subscription.deliveries.exclude(pk=delivery.pk).get()
    assert (replay.replay_of, replay.event_id, replay.status) == (
        delivery,
        delivery.event_id,
        "pending",
    )
    assert len(receiver.received) == 1  # the page only queues; the worker sends
    send_outbound_webhooks()
    assert len(receiver.received) == 2
    assert receiver.received[1][1]["SafeShare-Event-Id"] == str(delivery.event_id)

    response = client.post(page, {"action": "disable", "subscription": subscription.pk})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.disabled_at is not None
    ProtectionFactory.create(actor=Actor.for_user(officer))
    assert subscription.deliveries.count() == 2  # nothing more is queued

    actions = [
        d["payload"]["admin_action"]
        for d in LedgerEntry.objects.filter(kind="account_changed")
        .order_by("id")[entries:]
        .values_list("draft", flat=True)
    ]
    assert actions == ["webhook_created", "webhook_replayed", "webhook_disabled"]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"url": "http://records.example.org/hook"}, "Enter an https address"),
        ({"url": "ftp://records.example.org/hook"}, "Enter an address starting with https://"),
        ({"events": []}, "Choose at least one event"),
        ({"events": ["clearance.suspended"]}, "Choose events from the list"),
        ({"name": ""}, "Enter the name of the receiving system"),
    ],
)
def test_a_bad_subscription_is_refused_with_the_reason_and_nothing_stored(fields, problem):
    _, force = officer_and_force()
    admin = make_user(Role.ADMINISTRATOR, organisation=force)
    client = Client()
    client.force_login(admin)
    data = {
        "action": "create",
        "name": "RMS",
        "url": "https://records.example.org/hook",
        "events": ["protection.opened"],
        **fields,
    }
    response = client.post(reverse("administration:webhooks"), data)
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_other_kinds_of_organisation_and_other_organisations_cannot_subscribe():
    _, force = officer_and_force()
    other = make_user(Role.ADMINISTRATOR, organisation=make_user(Role.REFERRER).organisation)
    with pytest.raises(PermissionDenied, match="own organisation"):
        administration.create_webhook(
            Actor.for_user(other),
            organisation=force,
            name="x",
            url="https://x.example.org",
            events=["protection.opened"],
        )
    with pytest.raises(ValidationError, match="Only police forces"):
        subscribe(other.organisation, "https://x.example.org", events=["protection.opened"])
    assert not WebhookSubscription.objects.exists()


def test_protections_from_the_register_import_send_protection_opened_as_others_do(receiver):
    """Each protection a bulk register import opens is told to the force's systems, one
    ``protection.opened`` event each, queued with the import and sent by the worker."""
    import io

    from safeshare.protocol.models import Protection
    from safeshare.register.actions import do_import_register
    from safeshare.register.csvfiles import IdentityCsv
    from tests.register.conftest import REGISTER

    _officer, force = officer_and_force()
    subscription = subscribe(force, f"{receiver.url}/hook")
    reader = IdentityCsv(io.BytesIO(REGISTER.encode()))
    result = do_import_register(
        reader,
        force,
        Actor(organisation=force, role=Role.PROTOCOL_OFFICER),
        content_digest=lambda: reader.content_digest,
    )
    assert result.imported == 4
    deliveries = OutboundDelivery.objects.filter(subscription=subscription)
    assert {d.event_type for d in deliveries} == {"protection.opened"}
    references = set(
        Protection.objects.filter(opened_by=force).values_list("reference", flat=True)
    )
    assert {d.body["data"]["protection_reference"] for d in deliveries} == references
    assert len({d.event_id for d in deliveries}) == 4
    assert send_outbound_webhooks() == 4
    bodies = [json.loads(body) for _, _, body in receiver.received]
    assert {b["data"]["protection_reference"] for b in bodies} == references
    assert all(b["data"]["status"] == "active" for b in bodies)
    for _, headers, body in receiver.received:
        assert webhooks.verify_signature(subscription.secret, headers["SafeShare-Signature"], body)
        assert b"Fatema" not in body


def test_a_rotated_secret_signs_with_both_secrets_during_the_overlap_then_the_new_only(
    receiver,
):
    """Secret rotation (as Stripe does): for the overlap each delivery carries a ``v1``
    signature with the new secret and one with the old, so the receiving system can change
    over; afterwards only the new one."""
    officer, force = officer_and_force()
    admin = make_user(Role.ADMINISTRATOR, organisation=force)
    client = Client()
    client.force_login(admin)
    page = reverse("administration:webhooks")
    subscription = subscribe(force, f"{receiver.url}/hook")
    old = subscription.secret

    response = client.post(
        page, {"action": "rotate", "subscription": subscription.pk, "overlap_hours": "48"}
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    new = subscription.secret
    assert new != old
    assert new.startswith("whsec_")
    assert new in response.content.decode()  # shown once
    assert new not in client.get(page).content.decode()
    assert "signed with the old secret too until" in client.get(page).content.decode()
    assert subscription.previous_secret == old
    assert subscription.previous_secret_until - timezone.now() > dt.timedelta(hours=47)

    ProtectionFactory.create(actor=Actor.for_user(officer))
    send_outbound_webhooks()
    [(_, headers, body)] = receiver.received
    header = headers["SafeShare-Signature"]
    assert header.count("v1=") == 2
    assert webhooks.verify_signature(new, header, body)
    assert webhooks.verify_signature(old, header, body)  # the receiver not yet changed over

    # After the overlap: the new secret only.
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        previous_secret_until=timezone.now() - dt.timedelta(seconds=1)
    )
    ProtectionFactory.create(actor=Actor.for_user(officer))
    send_outbound_webhooks()
    header, body = receiver.received[1][1]["SafeShare-Signature"], receiver.received[1][2]
    assert header.count("v1=") == 1
    assert webhooks.verify_signature(new, header, body)
    assert not webhooks.verify_signature(old, header, body)

    # No overlap: the old secret stops at once. The change is in the ledger.
    response = client.post(
        page, {"action": "rotate", "subscription": subscription.pk, "overlap_hours": "0"}
    )
    subscription.refresh_from_db()
    assert (subscription.previous_secret, subscription.previous_secret_until) == ("", None)
    assert "The old secret no longer signs anything" in response.content.decode()
    actions = [
        d["payload"]["admin_action"]
        for d in LedgerEntry.objects.filter(kind="account_changed").values_list("draft", flat=True)
    ]
    assert actions.count("webhook_secret_rotated") == 2


@pytest.mark.parametrize("hours", ["-1", "169", "a day"])
def test_a_bad_overlap_is_refused_and_the_secret_kept(hours):
    _, force = officer_and_force()
    admin = make_user(Role.ADMINISTRATOR, organisation=force)
    client = Client()
    client.force_login(admin)
    subscription = subscribe(force, "https://records.example.org/hook")
    response = client.post(
        reverse("administration:webhooks"),
        {"action": "rotate", "subscription": subscription.pk, "overlap_hours": hours},
        follow=True,
    )
    assert "Enter " in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.secret_rotated_at is None


def test_only_the_organisations_administrator_rotates_its_secret():
    _, force = officer_and_force()
    subscription = subscribe(force, "https://records.example.org/hook")
    other = make_user(Role.ADMINISTRATOR, organisation=make_user(Role.POLICE_OFFICER).organisation)
    with pytest.raises(PermissionDenied):
        administration.rotate_webhook_secret(Actor.for_user(other), subscription)
    officer = make_user(Role.POLICE_OFFICER, organisation=force)
    with pytest.raises(PermissionDenied):
        administration.rotate_webhook_secret(Actor.for_user(officer), subscription)
