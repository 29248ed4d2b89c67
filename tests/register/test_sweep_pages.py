"""IE's background sweeps: upload, progress, results, and who may see them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from safeshare.kernel.roles import Role
from safeshare.ledger.models import LedgerEntry
from safeshare.register import forms as matching_forms
from safeshare.register import jobs, sweeps
from safeshare.register.models import Sweep
from tests.accounts.factories import make_user
from tests.pages.helpers import error_summary, text
from tests.register.conftest import REGISTER, counts
from tests.register.test_import import import_text
from tests.register.test_screen import CASELOAD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sweep_files(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.SAFESHARE_SWEEP_RUNNER = "inline"
    return tmp_path / "sweeps"


@pytest.fixture
def register(force, importer):
    import_text(REGISTER, force, importer)


@pytest.fixture
def caseworker_user(ie_unit):
    return make_user(Role.IE_CASEWORKER, ie_unit)


@pytest.fixture
def ie_client(client, caseworker_user):
    client.force_login(caseworker_user)
    return client


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Post a file; the sweep then starts as ``jobs.runner()`` says (inline: at once)."""

    def post(client, content: bytes, name: str = "caseload.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("matching:sweep-new"),
                {"caseload": SimpleUploadedFile(name, content, content_type="text/csv")},
            )

    return post


def test_the_upload_page_is_in_ie_navigation(ie_client):
    response = ie_client.get(reverse("matching:sweep-new"))
    page = text(response)
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page
    assert "Screen a caseload" in page
    assert f'href="{reverse("matching:sweep-new")}"' in page


def test_an_upload_is_screened_and_its_results_downloaded(
    register, ie_client, sweep_files, upload
):
    response = upload(ie_client, CASELOAD.encode())
    sweep = Sweep.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("matching:sweep", kwargs={"sweep_id": sweep.public_id})
    assert (sweep.status, sweep.total_rows, sweep.processed_rows) == ("done", 5, 5)
    assert sweep.clear_count == 2
    assert sweep.blocked_count + sweep.hold_count == 3

    page = text(ie_client.get(response["Location"]))
    assert "Your sweep has finished" in page
    assert 'http-equiv="refresh"' not in page
    assert "Download the results (CSV)" in page

    download = ie_client.get(
        reverse("matching:sweep-download", kwargs={"sweep_id": sweep.public_id})
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="sweep-')
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert rows[0] == ["query_id", "register_id", "decision", "score"]
    assert [row[0] for row in rows[1:]] == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    # A line says what a clearance would (docs/adr/0041): a block gives the protection's
    # reference, never the force's own record id (W1), and no line gives a score.
    assert rows[1][2] == "blocked"
    assert rows[1][1].startswith("PR-")
    assert not any(row[1].startswith("W") or row[3] for row in rows[1:])

    entry = LedgerEntry.objects.order_by("-id").first()
    assert entry.draft["payload"]["reason_code"] == "sweep"
    assert entry.draft["payload"]["clear_count"] == 2
    assert entry.draft["payload"]["count"] == 5
    assert entry.draft["actor_role"] == "ie_caseworker"


def test_the_uploaded_name_is_never_used_as_a_path(register, ie_client, sweep_files, upload):
    upload(ie_client, CASELOAD.encode(), name="../../settings/evil.csv")
    sweep = Sweep.objects.get()
    assert sweep.upload_name == "evil.csv"
    stored = sorted(p.name for p in sweep_files.iterdir())
    assert stored[0] == sweep.stored_name
    assert len(sweep.stored_name) == len("0" * 32 + ".csv")
    assert (sweep_files / sweep.stored_name).read_bytes() == CASELOAD.encode()


def test_a_queued_sweep_shows_its_progress_and_refreshes(
    register, ie_client, monkeypatch, upload, settings
):
    settings.SAFESHARE_SWEEP_RUNNER = "worker"
    response = upload(ie_client, CASELOAD.encode())
    page = text(ie_client.get(response["Location"]))
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Waiting to start." in page
    assert '<progress id="sweep-progress-bar"' in page
    assert "moj-progress-bar" in page
    # The worker runs it.
    sweep = Sweep.objects.get()
    assert jobs.run_sweep(sweep.pk) is True
    assert "Your sweep has finished" in text(ie_client.get(response["Location"]))


def test_another_organisations_sweep_is_not_found(
    register, ie_client, client, other_ie_user, upload
):
    upload(ie_client, CASELOAD.encode())
    sweep = Sweep.objects.get()
    client.force_login(other_ie_user)
    for name in ("matching:sweep", "matching:sweep-download"):
        response = client.get(reverse(name, kwargs={"sweep_id": sweep.public_id}))
        assert response.status_code == 404
    assert sweep.upload_name not in text(client.get(reverse("matching:sweep-list")))


@pytest.fixture
def other_ie_user(db):
    from safeshare.kernel.roles import OrganisationKind
    from tests.register.conftest import organisation

    other = organisation("IE-SOUTH", OrganisationKind.IE_UNIT, "Immigration Enforcement South")
    return make_user(Role.IE_SENIOR_APPROVER, other)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"PK\x03\x04 not really a workbook", "caseload.csv", "an Excel workbook"),
        (CASELOAD.encode(), "caseload.xlsx", "must be a CSV file (ending .csv)"),
        (b"", "caseload.csv", "The selected file is empty"),
        ("id,name\nQ1,Zoë\n".encode("latin-1"), "caseload.csv", "not UTF-8"),
        (b"id,name\nQ1,Ann\n", "caseload.csv", "must name the columns id, given_names"),
        (
            (CASELOAD + "Q6,Ann,Lee,,1990-02-30,F,GBR,,\n").encode(),
            "caseload.csv",
            "Row 7: dob ‘1990-02-30’",
        ),
    ],
)
def test_a_bad_upload_is_refused_in_the_error_summary(
    register, ie_client, sweep_files, content, name, message, upload
):
    before = counts()
    response = upload(ie_client, content, name)
    assert response.status_code == 400  # a refused upload is a 4xx
    assert message in error_summary(response)
    assert counts() == before
    assert not sweep_files.exists() or not any(sweep_files.iterdir())


def test_an_oversize_upload_is_refused_before_it_is_kept(
    register, ie_client, sweep_files, monkeypatch, upload
):
    monkeypatch.setattr(matching_forms, "MAX_UPLOAD_BYTES", 100)
    response = upload(ie_client, CASELOAD.encode())
    assert response.status_code == 400  # a refused upload is a 4xx
    assert "The selected file must be smaller than 25 MB" in error_summary(response)
    assert not Sweep.objects.exists()


def test_no_file_is_refused(ie_client):
    response = ie_client.post(reverse("matching:sweep-new"), {})
    assert "Select the caseload file to upload" in error_summary(response)


def test_a_sweep_left_running_by_a_dead_process_is_started_again(
    register, ie_client, monkeypatch, upload, settings
):
    settings.SAFESHARE_SWEEP_RUNNER = "worker"
    upload(ie_client, CASELOAD.encode())
    sweep = Sweep.objects.get()
    long_ago = timezone.now() - timedelta(hours=1)
    Sweep.objects.filter(pk=sweep.pk).update(
        status="running", attempts=1, heartbeat_at=long_ago, processed_rows=2
    )
    # Opening its page writes nothing; the worker starts it again.
    ie_client.get(reverse("matching:sweep", kwargs={"sweep_id": sweep.public_id}))
    sweep.refresh_from_db()
    assert (sweep.status, sweep.attempts) == ("running", 1)
    assert jobs.run_queued() == (1, 1)
    page = text(ie_client.get(reverse("matching:sweep", kwargs={"sweep_id": sweep.public_id})))
    sweep.refresh_from_db()
    assert (sweep.status, sweep.attempts, sweep.processed_rows) == ("done", 2, 5)
    assert "Your sweep has finished" in page


def test_a_sweep_that_keeps_stopping_is_failed_with_a_clear_message(
    register, ie_client, monkeypatch, upload, settings
):
    settings.SAFESHARE_SWEEP_RUNNER = "worker"
    upload(ie_client, CASELOAD.encode())
    sweep = Sweep.objects.get()
    Sweep.objects.filter(pk=sweep.pk).update(
        status="running",
        attempts=sweeps.MAX_ATTEMPTS,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    assert jobs.run_queued() == (0, 0)
    page = text(ie_client.get(reverse("matching:sweep", kwargs={"sweep_id": sweep.public_id})))
    sweep.refresh_from_db()
    assert sweep.status == "failed"
    assert "stopped before it finished 3 times" in sweep.error
    assert "Your sweep could not be finished" in page
    assert sweep.error in page
    download = ie_client.get(
        reverse("matching:sweep-download", kwargs={"sweep_id": sweep.public_id})
    )
    assert download.status_code == 404


def test_a_sweep_that_fails_says_so(register, ie_client, monkeypatch, upload):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(sweeps, "screen_batch", broken)
    upload(ie_client, CASELOAD.encode())
    sweep = Sweep.objects.get()
    assert sweep.status == "failed"
    assert "could not be finished because of a problem in SafeShare" in sweep.error
    assert not any(p.suffix == ".part" for p in sweeps.sweep_dir().iterdir())


def test_a_running_sweep_is_not_taken_twice(register, ie_client, monkeypatch, upload, settings):
    settings.SAFESHARE_SWEEP_RUNNER = "worker"
    upload(ie_client, CASELOAD.encode())
    sweep = Sweep.objects.get()
    from safeshare.register.actions import claim_sweep

    assert claim_sweep(sweep.pk) is not None
    assert claim_sweep(sweep.pk) is None  # running, with a fresh heartbeat
    assert jobs.run_sweep(sweep.pk) is False


def test_the_list_shows_the_organisations_sweeps(register, ie_client, upload):
    upload(ie_client, CASELOAD.encode(), name="march.csv")
    page = text(ie_client.get(reverse("matching:sweep-list")))
    assert "march.csv" in page
    assert "Finished" in page


@pytest.mark.django_db(transaction=True)  # the worker closes stale connections, as in production
def test_the_worker_command_runs_queued_sweeps(register, ie_client, monkeypatch, upload, settings):
    from django.core.management import call_command

    settings.SAFESHARE_SWEEP_RUNNER = "worker"
    upload(ie_client, CASELOAD.encode())
    out = io.StringIO()
    call_command("worker", "--once", "--only", "sweeps", stdout=out)
    assert out.getvalue().split() == ["sweeps", "1"]
    assert Sweep.objects.get().status == "done"
    listing = io.StringIO()
    call_command("sweeps", "list", stdout=listing)
    assert "IE-NCCU" in listing.getvalue()
