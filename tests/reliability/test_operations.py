"""/healthz, /readyz, /metrics, and 503 (never 500) when the database cannot be reached."""

from __future__ import annotations

import math
import re

import pytest
from django.db.utils import InterfaceError, OperationalError
from django.test import Client

from safeshare.kernel.roles import Role
from safeshare.operations import metrics
from tests import api_client as api

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests"


@pytest.fixture
def metrics_token(settings):
    settings.SAFESHARE_METRICS_TOKEN = TOKEN
    settings.SAFESHARE_METRICS_ALLOW = ""
    return {"Authorization": f"Bearer {TOKEN}"}


def scrape(headers: dict[str, str]) -> dict[str, float]:
    response = Client().get("/metrics", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for line in response.content.decode().splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


# --- Health and readiness -----------------------------------------------------------------------


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_probes_answer_whatever_the_host_header_and_over_plain_http(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SAFESHARE_METRICS_TOKEN = TOKEN
    prober = Client(HTTP_HOST="10.1.2.3:8000")
    assert prober.get("/healthz").status_code == 200
    assert prober.get("/readyz").status_code == 200
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert prober.get("/metrics", headers=headers).status_code == 200
    assert prober.get("/accessibility/").status_code == 400  # everything else checks the host


def test_readyz_checks_the_database_and_the_ledger(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "ledger": "ok"}}


def test_readyz_is_503_with_retry_after_when_the_database_is_down(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response.json()["checks"] == {"database": "unavailable", "ledger": "unavailable"}


def test_readyz_reports_a_broken_ledger(client, monkeypatch):
    def broken():
        raise RuntimeError("ledger tables missing")

    monkeypatch.setattr("safeshare.operations.probes.ledger_size", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "ledger": "unavailable"}


# --- Metrics ------------------------------------------------------------------------------------


def test_metrics_are_closed_unless_configured(client, settings):
    settings.SAFESHARE_METRICS_TOKEN = ""
    settings.SAFESHARE_METRICS_ALLOW = ""
    assert client.get("/metrics").status_code == 403


def test_metrics_need_the_token(metrics_token):
    assert Client().get("/metrics").status_code == 401
    wrong = Client().get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    assert Client().get("/metrics", headers=metrics_token).status_code == 200


def test_metrics_from_an_allowed_network(settings):
    settings.SAFESHARE_METRICS_TOKEN = ""
    settings.SAFESHARE_METRICS_ALLOW = "10.0.0.0/8, 192.0.2.1"
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="192.0.2.1").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="198.51.100.1").get("/metrics").status_code == 401


def test_clearances_are_counted_by_decision_once_committed(
    metrics_token, django_capture_on_commit_callbacks
):
    before = scrape(metrics_token)
    police, ie = api.police(), api.ie()
    case = api.new_case(police)
    party = api.add_party(police, case)
    api.event(police, case, "investigation_opened")
    with django_capture_on_commit_callbacks(execute=True):
        api.ok(api.refer(police, case, party), 201)
        api.ok(api.clearance(ie), 201)  # blocked: she is protected
        api.ok(api.clearance(ie, given_names="Someone", family_name="Else"), 201)
    after = scrape(metrics_token)

    def grew(decision: str) -> float:
        name = f'safeshare_clearances_total{{decision="{decision}"}}'
        return after.get(name, 0) - before.get(name, 0)

    assert grew("blocked") == 1
    assert grew("blocked") + grew("clear") + grew("hold") == 2


def test_a_rolled_back_clearance_is_not_counted():
    from django.db import transaction

    from safeshare.operations.signals import _count_clearance

    before = metrics.CLEARANCES.value(decision="blocked")

    class Instance:
        decision = "blocked"

    def clearance_then_failure() -> None:
        with transaction.atomic():
            _count_clearance(None, Instance(), created=True, using="default")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        clearance_then_failure()
    assert metrics.CLEARANCES.value(decision="blocked") == before


def test_metrics_expose_latency_ledger_size_and_checkpoint_age(metrics_token):
    api.police().get("/whoami")
    from safeshare.ledger import service

    police = api.police()
    api.ie()  # the unit a referral goes to
    case = api.new_case(police)
    party = api.add_party(police, case)
    api.ok(api.refer(police, case, party), 201)  # a disclosure: it goes on the ledger
    service.sequence_pending()
    service.make_checkpoint()
    samples = scrape(metrics_token)
    assert samples['safeshare_http_request_duration_seconds_count{route="api"}'] >= 1
    assert samples["safeshare_ledger_entries"] >= 1
    assert samples["safeshare_ledger_queued_entries"] >= 0
    assert 0 <= samples["safeshare_ledger_checkpoint_age_seconds"] < 600
    assert samples["safeshare_process_start_time_seconds"] > 1.6e9


def test_histogram_buckets_are_cumulative_and_match_the_count():
    histogram = metrics.Histogram("t_seconds", "test", ["route"], buckets=(0.01, 0.1, 1))
    for value in (0.005, 0.01, 0.05, 0.5, 5):
        histogram.observe(value, route="api")
    lines = histogram.render().splitlines()
    buckets = [
        float(line.rsplit(" ", 1)[1]) for line in lines if line.startswith("t_seconds_bucket")
    ]
    assert buckets == [2, 3, 4, 5]
    assert 't_seconds_bucket{route="api",le="+Inf"} 5' in lines
    assert 't_seconds_count{route="api"} 5' in lines
    total = next(line for line in lines if line.startswith("t_seconds_sum"))
    assert math.isclose(float(total.rsplit(" ", 1)[1]), 5.565)


def test_exposition_escapes_label_values_and_formats_numbers():
    counter = metrics.Counter("t_total", 'a "quoted"\nhelp', ["kind"])
    counter.inc(kind='a"b\\c\nd')
    text = counter.render()
    assert '# HELP t_total a \\"quoted\\"\\nhelp' in text
    assert 't_total{kind="a\\"b\\\\c\\nd"} 1' in text
    assert metrics.format_value(math.inf) == "+Inf"
    assert metrics.format_value(0.25) == "0.25"
    assert re.fullmatch(r"NaN", metrics.format_value(math.nan))
    with pytest.raises(ValueError):
        counter.inc(-1, kind="x")


def test_route_labels_never_carry_paths():
    assert metrics.route_kind("POST", "/api/v1/clearances") == "api_clearance"
    assert metrics.route_kind("GET", "/api/v1/protections/PR-1234-5678-9ABC-D") == "api"
    assert metrics.route_kind("GET", "/cases/123/") == "site"


# --- 503 when the database is lost --------------------------------------------------------------


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_the_api_answers_503_with_retry_after_when_the_database_is_lost(monkeypatch, error):
    police = api.police()

    def lost(secret):
        raise error("server closed the connection unexpectedly")

    monkeypatch.setattr("safeshare.api_kit.find_active_token", lost)
    response = police.get("/whoami")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["error"]["code"] == "service_unavailable"
    assert set(body["error"]) == {"code", "message", "fields", "request_id"}
    assert body["error"]["request_id"] == response["X-Request-Id"]


def test_a_page_answers_503_when_its_view_loses_the_database(monkeypatch):
    def lost(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr("safeshare.web.views.render", lost)
    response = Client(raise_request_exception=False).get("/accessibility/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Sorry, the service is unavailable" in html
    assert "govuk-template" in html


def test_a_page_answers_503_when_the_session_cannot_be_loaded(client, monkeypatch):
    from tests.accounts.factories import make_user

    client.force_login(make_user(Role.ADVOCATE))

    def lost(self):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", lost)
    quiet = Client(raise_request_exception=False)
    quiet.cookies = client.cookies
    response = quiet.get("/")
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.content.decode()


def test_other_errors_stay_500(monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("no such table: web_thing")

    monkeypatch.setattr("safeshare.web.views.render", broken)
    response = Client(raise_request_exception=False).get("/accessibility/")
    assert response.status_code == 500
