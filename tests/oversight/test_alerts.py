"""Alerts (R32): every override and every action against an ever-protected person reaches the
oversight inbox at once, and the webhook of an external system, signed."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command

from safeshare.kernel.roles import Role
from safeshare.oversight import actions, webhooks
from safeshare.oversight.models import Alert, WebhookDelivery
from safeshare.protocol import actions as protocol_actions
from tests.oversight import scenario
from tests.scenarios import helpers as h

pytestmark = pytest.mark.django_db
SECRET = "webhook-test-secret"


class Receiver:
    """A webhook receiver on the loopback interface that records what it is sent."""

    def __init__(self) -> None:
        self.received: list[tuple[dict, bytes]] = []
        self.status = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/safeshare"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    server = Receiver()
    settings.SAFESHARE_OVERSIGHT_WEBHOOK_URL = server.url
    settings.SAFESHARE_OVERSIGHT_WEBHOOK_SECRET = SECRET
    settings.SAFESHARE_OVERSIGHT_WEBHOOK_TIMEOUT = "2"
    yield server
    server.close()


def test_the_override_raises_alerts_that_reach_the_webhook_signed(
    receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        data = scenario.build()
    kinds = [json.loads(body)["alert"]["kind"] for _, body in receiver.received]
    assert "override_requested" in kinds
    assert "override_approved" in kinds
    assert WebhookDelivery.objects.filter(status="delivered").count() == len(receiver.received)
    for headers, body in receiver.received:
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers[webhooks.SIGNATURE_HEADER.lower()] == expected
        text = body.decode().lower()
        assert not [v for v in data.personal_values if len(v) >= 4 and v.lower() in text]
    body = json.loads(receiver.received[-1][1])
    assert body["type"] == "safeshare.oversight.alert"
    assert set(body["alert"]) >= {"id", "kind", "summary", "created_at", "references"}


def test_an_action_against_an_ever_protected_person_alerts_at_once(
    receiver, django_capture_on_commit_callbacks
):
    """A clear under an approved override is an action against a protected person."""
    officer, caseworker = h.police("WMP"), h.ie()
    senior = h.actor(Role.IE_SENIOR_APPROVER, "IE-NCCU")
    case = h.new_case(officer, "20/9001/26")
    party = h.add_victim(
        case,
        officer,
        given_names="Oluwaseun",
        family_name="Bamidele-Stark",
        date_of_birth="1988-04-09",
        nationality="NGA",
        passport_number="A1234567",
    )
    h.refer(party, officer)
    blocked = h.clearance(
        caseworker,
        given_names="Oluwaseun",
        family_name="Bamidele-Stark",
        date_of_birth="1988-04-09",
        nationality="NGA",
        passport_number="A1234567",
    )
    assert blocked.clearance.decision == "blocked"
    with django_capture_on_commit_callbacks(execute=True):
        request = protocol_actions.do_request_override(
            blocked.clearance,
            caseworker,
            category="national_security_or_public_protection",
            reasons="Intelligence indicates a serious and immediate public-protection risk.",
        )
        protocol_actions.do_decide_override(
            request,
            senior,
            approve=True,
            reasons="Reviewed the intelligence report and the protection record in full.",
        )
    assert Alert.objects.filter(kind="override_approved").count() == 1
    assert len(receiver.received) == 2
    assert WebhookDelivery.objects.filter(status="delivered").count() == 2


def test_a_failed_delivery_is_kept_and_sent_again_by_the_command(
    receiver, django_capture_on_commit_callbacks
):
    receiver.status = 503
    with django_capture_on_commit_callbacks(execute=True):
        scenario.build()
    failed = WebhookDelivery.objects.filter(status="failed")
    assert failed.count() >= 2
    assert failed.first().response_status == 503
    receiver.status = 200
    call_command("oversight", "deliver-webhooks")
    assert not WebhookDelivery.objects.exclude(status="delivered").exists()
    assert all(d.attempts == 2 for d in WebhookDelivery.objects.all())


def test_an_unreachable_webhook_never_breaks_the_action(
    settings, django_capture_on_commit_callbacks
):
    settings.SAFESHARE_OVERSIGHT_WEBHOOK_URL = "http://127.0.0.1:9/nothing-listens-here"
    settings.SAFESHARE_OVERSIGHT_WEBHOOK_TIMEOUT = "1"
    with django_capture_on_commit_callbacks(execute=True):
        data = scenario.build()
    assert data.override.status == "approved"
    assert WebhookDelivery.objects.filter(status="failed").exists()
    assert WebhookDelivery.objects.first().error


def test_no_webhook_set_means_no_delivery(settings, django_capture_on_commit_callbacks):
    settings.SAFESHARE_OVERSIGHT_WEBHOOK_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        scenario.build()
    assert Alert.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_only_an_oversight_analyst_acknowledges(django_capture_on_commit_callbacks):
    scenario.build()
    alert = Alert.objects.first()
    with pytest.raises(Exception, match="oversight analyst"):
        actions.do_acknowledge_alert(alert, h.police("WMP"))
    analyst = h.actor(Role.OVERSIGHT_ANALYST, "DAC")
    first = actions.do_acknowledge_alert(alert, analyst).acknowledged_at
    assert actions.do_acknowledge_alert(alert, analyst).acknowledged_at == first
