"""Oversight pages: what they show, downloads, alerts, comparison, ledger — and no personal data
through any page, download or API endpoint."""

from __future__ import annotations

import io
import re
import tempfile
import types
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from safeshare.kernel.roles import Role
from safeshare.oversight.models import Alert, ComparisonRun, LedgerCheck
from safeshare.oversight.statistics import OFFENCES, STATISTICS
from tests.accounts.factories import make_user
from tests.api_client import ApiClient
from tests.oversight import scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return scenario.build()


@pytest.fixture
def analyst(client):
    client.force_login(make_user(Role.OVERSIGHT_ANALYST))
    return client


def text_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
            )
    return content.decode("utf-8", "replace")


def every_oversight_url() -> list[str]:
    year = timezone.localdate().year
    urls = [
        reverse("oversight:dashboard"),
        reverse("oversight:dashboard") + f"?year={year}&force=WMP&offence=domestic_abuse",
        reverse("oversight:alerts"),
        reverse("oversight:alerts") + "?format=csv",
        reverse("oversight:comparison"),
        reverse("oversight:comparison") + "?policy_a=mvp-2021&policy_b=mvp-2023",
        reverse("oversight:ledger"),
    ]
    for slug in STATISTICS:
        for query in (f"year={year}", f"year={year}&force=WMP", f"year={year}&offence=other"):
            urls.append(reverse("oversight:statistic") + f"?name={slug}&{query}")
            for fmt in ("csv", "ods"):
                urls.append(reverse("oversight:download") + f"?name={slug}&{query}&format={fmt}")
    return urls


def api_paths() -> list[str]:
    year = timezone.localdate().year
    paths = ["/oversight/statistics", "/oversight/alerts", "/oversight/ledger"]
    for slug in STATISTICS:
        paths += [
            f"/oversight/statistics/{slug}?year={year}",
            f"/oversight/statistics/{slug}?year={year}&force=WMP",
        ]
    return paths


def test_no_personal_data_reaches_any_oversight_page_or_endpoint(data, analyst):
    values = {v.lower() for v in data.personal_values if len(v) >= 4}
    assert "zuleika" in values
    assert "20/5501/26" in values
    pages = every_oversight_url()
    for url in pages:
        response = analyst.get(url)
        assert response.status_code == 200, url
        found = [v for v in values if v in text_of(response).lower()]
        assert not found, f"{url} shows {found}"
    api = ApiClient(Role.OVERSIGHT_ANALYST, "DAC")
    analyst.post(reverse("oversight:comparison"), {"policy_a": "mvp-2021", "policy_b": "firewall"})
    for path in [*api_paths(), "/oversight/comparison?policy_a=mvp-2021&policy_b=firewall"]:
        response = api.get(path)
        assert response.status_code == 200, (path, response.content)
        found = [v for v in values if v in response.content.decode().lower()]
        assert not found, f"{path} returns {found}"


def test_dashboard_shows_headlines_alerts_and_charts(data, analyst):
    page = analyst.get(reverse("oversight:dashboard")).content.decode()
    assert "Oversight statistics" in page
    assert 'data-testid="headline-referrals"' in page
    assert "alert" in page
    assert "not yet acknowledged" in page
    assert "override" in page.lower()
    statistic = analyst.get(reverse("oversight:statistic") + "?name=referrals").content.decode()
    assert statistic.count('role="img"') >= 5
    assert "<title id=" in statistic
    assert "<desc id=" in statistic
    assert "[c]" in statistic
    assert "not shown" in statistic
    assert 'style="' not in statistic  # the CSP forbids inline styles


def test_bad_filters_show_the_error_summary_and_fall_back_to_this_year(data, analyst):
    response = analyst.get(reverse("oversight:statistic") + "?name=referrals&year=1900")
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert str(timezone.localdate().year) in page


def test_unknown_statistic_is_not_found(analyst):
    assert analyst.get(reverse("oversight:statistic") + "?name=names").status_code == 404


def test_csv_download_marks_suppression_and_is_formula_safe(data, analyst):
    response = analyst.get(reverse("oversight:download") + "?name=referrals&format=csv")
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert "Referrals by police force" in body
    assert "[c]" in body
    for line in body.splitlines():
        assert not re.match(r'^"?[=+\-@]', line)


def test_ods_download_is_a_valid_opendocument_spreadsheet(data, analyst):
    response = analyst.get(reverse("oversight:download") + "?name=clearances&format=ods")
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
        content = ElementTree.fromstring(archive.read("content.xml"))  # noqa: S314 (our own output)
        ElementTree.fromstring(archive.read("META-INF/manifest.xml"))  # noqa: S314 (our own output)
    ns = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0"}
    names = [t.get(f"{{{ns['table']}}}name") for t in content.iter(f"{{{ns['table']}}}table")]
    assert names[0] == "About"
    assert names[1].startswith("Clearances by enforcement")
    assert all(len(name) <= 31 for name in names)


def test_alerts_from_the_override_and_acknowledging_one(data, analyst):
    kinds = set(Alert.objects.values_list("kind", flat=True))
    assert {"override_requested", "override_approved"} <= kinds
    page = analyst.get(reverse("oversight:alerts")).content.decode()
    assert "Override approved" in page
    assert "Acknowledge" in page
    alert = Alert.objects.get(kind="override_approved")
    url = reverse("oversight:alert-acknowledge")
    # Bad input: refused, nothing acknowledged.
    assert analyst.post(url, {"alert": "x"}).status_code == 404
    assert analyst.post(url, {"alert": "999999"}).status_code == 404
    assert analyst.post(url, {}).status_code == 404
    # Without a confirmation note, or with an altered one, the address goes back to the list.
    assert analyst.get(url)["Location"] == reverse("oversight:alerts")
    assert analyst.get(url + "?done=altered")["Location"] == reverse("oversight:alerts")
    assert not Alert.objects.filter(acknowledged_at__isnull=False).exists()
    response = analyst.post(url, {"alert": alert.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(url + "?done=")
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    assert "Oversight analyst" in alert.acknowledged_by
    first = alert.acknowledged_at
    # The confirmation, drawn from the database: a panel and what happens next.
    done = analyst.get(response["Location"])
    assert done.status_code == 200
    page = done.content.decode()
    assert "govuk-panel--confirmation" in page
    assert "Alert acknowledged" in page
    assert "What happens next" in page
    assert alert.acknowledged_by in page
    # Pressed again: the same confirmation, the first acknowledgement kept.
    again = analyst.post(url, {"alert": alert.pk})
    alert.refresh_from_db()
    assert alert.acknowledged_at == first
    assert "Alert acknowledged" in analyst.get(again["Location"]).content.decode()
    assert Alert.objects.filter(acknowledged_at__isnull=False).count() == 1
    # Another analyst's confirmation note is not theirs to read.
    other = type(analyst)()
    other.force_login(make_user(Role.OVERSIGHT_ANALYST))
    assert other.get(response["Location"])["Location"] == reverse("oversight:alerts")
    report = analyst.get(reverse("oversight:alerts") + "?format=csv").content.decode()
    assert "Override approved" in report
    assert "yes" in report
    assert analyst.post(reverse("oversight:alert-acknowledge"), {"alert": "x"}).status_code == 404


def test_comparison_page_replays_and_keeps_a_run(data, analyst):
    page = analyst.get(reverse("oversight:comparison")).content.decode()
    assert "Referrals: under policy A (rows) and under policy B (columns)" in page
    assert "Clearances: decided under policy A" in page
    response = analyst.post(
        reverse("oversight:comparison"), {"policy_a": "mvp-2021", "policy_b": "firewall"}
    )
    assert response.status_code == 302
    run = ComparisonRun.objects.get()
    assert run.summary["recorded"]["referrals"] == 8
    # All eight referrals would not have been sent under the firewall.
    assert run.summary["referrals"]
    assert all(row[2] == 1 for row in run.summary["referrals"])
    same = analyst.post(
        reverse("oversight:comparison"), {"policy_a": "firewall", "policy_b": "firewall"}
    )
    assert "Choose a different policy" in same.content.decode()


def test_a_large_history_is_not_replayed_while_the_analyst_waits(data, analyst, monkeypatch):
    from safeshare.oversight import views

    monkeypatch.setattr(views, "SMALL_HISTORY", 5)
    pair = reverse("oversight:comparison") + "?policy_a=mvp-2021&policy_b=firewall"
    page = analyst.get(pair).content.decode()
    assert "ask your administrator to add this pair of policies" in page
    response = analyst.post(
        reverse("oversight:comparison"),
        {"policy_a": "mvp-2021-promise", "policy_b": "firewall"},
        follow=True,
    )
    assert "too large to replay while you wait" in response.content.decode()
    assert not ComparisonRun.objects.exists()
    call_command("oversight", "compare", "mvp-2021", "firewall")
    page = analyst.get(pair).content.decode()
    assert "Referrals: under policy A" in page


@pytest.fixture
def fake_ledger_service(monkeypatch, tmp_path):
    """Stands in for safeshare.ledger.service with the part of its interface the page uses."""
    from safeshare.oversight import ledger_view

    checkpoint = (
        "safeshare.example/ledger\n42\nq0QBvNnqRGeSgt0o1rBjgJkvbcEnIUuSWmMeSkkOH4M=\n\n— k x\n"
    )
    module = types.ModuleType("safeshare.ledger.service")
    module.latest_checkpoint = lambda: checkpoint
    module.verify_database = lambda **_: types.SimpleNamespace(
        ok=True, size=42, first_problem=None
    )
    module.log_size = lambda: 42

    def export_to(directory):
        directory.mkdir(parents=True)
        (directory / "entries.jsonl").write_text("{}\n")
        (directory / "checkpoints").mkdir()
        (directory / "checkpoints" / "42").write_text(checkpoint)

    module.export_to = export_to
    monkeypatch.setattr(ledger_view, "ledger_service", module)
    return module


def test_ledger_page_with_the_service_checks_and_exports(analyst, fake_ledger_service):
    page = analyst.get(reverse("oversight:ledger")).content.decode()
    assert "safeshare.example/ledger" in page
    assert "q0QBvNnqRGeSgt0o1rBjgJkvbcEnIUuSWmMeSkkOH4M=" in page
    assert analyst.post(reverse("oversight:ledger")).status_code == 302
    check = LedgerCheck.objects.get()
    assert check.ok
    assert check.size == 42
    assert "Verified" in analyst.get(reverse("oversight:ledger")).content.decode()
    response = analyst.post(reverse("oversight:ledger-export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert "safeshare-ledger-export/checkpoints/42" in archive.namelist()


def test_navigation_offers_the_oversight_pages(analyst):
    page = analyst.get(reverse("web:home")).content.decode()
    for label in ("Statistics", "Alerts", "Policy comparison", "Ledger"):
        assert label in page


def test_offence_filter_choices_are_every_offence(analyst):
    page = analyst.get(reverse("oversight:statistic") + "?name=referrals").content.decode()
    for offence in OFFENCES:
        assert f'value="{offence.value}"' in page


def test_ledger_page_with_the_real_ledger_service(data, analyst, settings):
    """Against safeshare.ledger.service: the checkpoint, a check shown on first view (the ledger
    is small) but kept only when asked for, and an export the independent verifier accepts."""
    from safeshare.ledger import service, signing
    from safeshare.ledger.checkpoint import generate_signing_key, signer_key_string
    from safeshare.ledger.verify import main as verify_main

    origin = "oversight.test/ledger"
    setattr(settings, signing.ORIGIN_ENV, origin)
    setattr(settings, signing.SIGNING_KEY_ENV, signer_key_string(origin, generate_signing_key()))
    service.sequence_pending()
    service.make_checkpoint()
    page = analyst.get(reverse("oversight:ledger")).content.decode()
    assert origin in page
    assert "Verified" in page
    assert not LedgerCheck.objects.exists()
    analyst.post(reverse("oversight:ledger"))
    check = LedgerCheck.objects.get()
    assert check.ok, check.first_problem
    assert check.size == service.log_size() > 0

    response = analyst.post(reverse("oversight:ledger-export"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    target = Path(tempfile.mkdtemp())
    archive.extractall(target)
    export = target / "safeshare-ledger-export"
    key = next(
        line
        for line in (export / "public-keys.txt").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert verify_main([str(export), "--public-key", key]) == 0
