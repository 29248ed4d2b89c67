"""A possible-match review is known by a short reference, safe to read over the phone
(ADR 0047): on its pages, in the worklist, in the API, and in the alert when it is overdue."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.kernel.wording import UUID
from safeshare.notifications.actions import notify_staff
from safeshare.notifications.models import StaffNotice
from safeshare.oversight.models import Alert
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol import models as protocol_models
from safeshare.protocol.models import Clearance, Review, reference_bounds
from safeshare.protocol.outcomes import escalate_overdue_holds
from tests.api_client import protocol_officer as protocol_officer_api
from tests.pages.check_answers import confirm
from tests.pages.helpers import fake_matcher, panel, signed_in, text

pytestmark = pytest.mark.django_db

SUBJECT = {"given_names": "Mst Fatimma", "family_name": "Begom", "date_of_birth": "1991-03-14"}


def hold(user) -> Review:
    result = protocol_actions.do_request_clearance(
        Actor.for_user(user),
        action_code="immigration_arrest_or_detention",
        subject=SUBJECT,
        information_sources=["immigration_records"],
    )
    assert result.clearance.decision == "hold"
    return result.clearance.reviews.get()


@pytest.fixture
def held(monkeypatch, caseworker, protection) -> Review:
    fake_matcher(monkeypatch, "possible", [protection])
    return hold(caseworker)


def review_url(review: Review) -> str:
    return reverse("protocol:review", kwargs={"reference": review.reference})


def test_the_reference_is_eight_capitals_of_its_own_id(held):
    assert len(held.reference) == 8
    assert held.reference == held.public_id.hex[:8].upper()
    assert reference_bounds(held.reference) is not None
    lowest, highest = reference_bounds(held.reference)
    assert lowest <= held.public_id <= highest


@pytest.mark.parametrize("text_", ["", "1", "123456789", "ABCDEFG!", "ghijklmn", "1234 567"])
def test_what_cannot_be_a_reference_has_no_bounds(text_):
    assert reference_bounds(text_) is None


def test_the_review_is_found_by_its_reference_and_shows_it_on_every_step(
    client, protocol_officer, held
):
    signed_in(client, protocol_officer)
    queue = text(client.get(reverse("protocol:review-list")))
    assert f'data-testid="review-reference">{held.reference}<' in queue
    assert review_url(held) in queue
    page = text(client.get(review_url(held)))
    assert held.reference in page
    assert held.clearance.reference in page
    assert not UUID.search(page)
    check = client.post(
        review_url(held), {"verdict": "same_person", "reasons": "Same date of birth and name."}
    )
    assert "Possible match reference" in text(check)
    assert held.reference in text(check)
    assert not UUID.search(text(check))
    done = client.get(confirm(client, review_url(held), check)["Location"])
    assert held.reference in panel(done)
    assert not UUID.search(text(done))


def test_the_reference_may_be_typed_in_small_letters(client, protocol_officer, held):
    signed_in(client, protocol_officer)
    url = reverse("protocol:review", kwargs={"reference": held.reference.lower()})
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("wrong", ["1", "00000000", "not-a-reference"])
def test_an_unknown_or_malformed_reference_is_not_found(client, protocol_officer, held, wrong):
    signed_in(client, protocol_officer)
    assert client.get(f"/reviews/{wrong}/").status_code == 404


def test_the_integer_address_no_longer_names_a_review(client, protocol_officer, held):
    signed_in(client, protocol_officer)
    assert client.get(f"/reviews/{held.pk}/").status_code == 404


def test_a_new_review_never_takes_a_reference_already_in_use(
    monkeypatch, caseworker, protection, held
):
    """A drawn id whose first eight characters another review has is drawn again."""
    clash = uuid.UUID(held.public_id.hex[:8] + "0" * 24)
    fresh = uuid.UUID("feedface" + "1" * 24)
    if held.public_id.hex.startswith("feedface"):  # pragma: no cover - one chance in 2**32
        fresh = uuid.UUID("0badcafe" + "1" * 24)
    drawn = iter([clash, fresh])
    monkeypatch.setattr(protocol_models.uuid, "uuid4", lambda: next(drawn))
    second = hold(caseworker)
    assert second.public_id == fresh
    assert second.reference != held.reference


def test_the_database_refuses_two_reviews_with_one_reference(held):
    """Even two reviews created at the same instant, each checking before the other exists."""
    twin = uuid.UUID(held.public_id.hex[:8] + "f" * 24)
    assert twin != held.public_id
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(clearance=held.clearance, public_id=twin)
    assert Review.objects.count() == 1


def test_the_api_names_the_review_and_its_clearance_by_reference(held):
    reviews = protocol_officer_api().get("/reviews").json()
    [out] = [r for r in reviews if r["id"] == held.pk]
    assert out["reference"] == held.reference
    assert out["clearance_reference"] == held.clearance.reference


def test_an_overdue_review_is_named_by_its_reference(held, settings):
    settings.SAFESHARE_HOLD_TARGET_HOURS = 8
    later = timezone.now() + dt.timedelta(hours=8, minutes=1)
    assert escalate_overdue_holds(later) == 1
    notice = StaffNotice.objects.get(kind="hold_overdue")
    assert f"Possible match {held.reference} has waited" in notice.message
    assert not UUID.search(notice.message)
    alert = Alert.objects.get(kind="hold_overdue")
    assert held.reference in alert.summary
    assert alert.details["review_reference"] == held.reference


def test_a_hold_escalated_under_its_old_address_is_not_escalated_again(held, force, settings):
    settings.SAFESHARE_HOLD_TARGET_HOURS = 8
    notify_staff(
        force, "protocol_officer", "hold_overdue", "Escalated.", link=f"/reviews/{held.pk}/"
    )
    later = timezone.now() + dt.timedelta(hours=8, minutes=1)
    assert escalate_overdue_holds(later) == 0
    assert StaffNotice.objects.filter(kind="hold_overdue").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_each_existing_review_its_own_reference(
    monkeypatch, caseworker, protection
):
    fake_matcher(monkeypatch, "possible", [protection])
    for _ in range(3):
        hold(caseworker)
    assert Review.objects.count() == 3
    executor = MigrationExecutor(connection)
    executor.migrate([("protocol", "0010_merge")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    ids = list(Review.objects.values_list("public_id", flat=True))
    assert len(ids) == 3
    assert None not in ids
    assert len({i.hex[:8] for i in ids}) == 3
    assert Clearance.objects.count() == 3
