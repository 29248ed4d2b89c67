"""The upload page: the same report as the command, nothing stored when a row is wrong."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeshare.cases.models import Case
from safeshare.kernel.roles import Role
from tests.accounts.factories import make_user

pytestmark = pytest.mark.django_db
GOOD = (
    "event_id,crime_reference,offence_category,event,person_reference,role,family_name\n"
    "1,20/1/26,hate_crime,party_added,P1,victim,Begum\n"
    "2,20/1/26,,investigation_opened,,,\n"
)


def upload(client, name: str, content: str):
    return client.post(
        reverse("cases:import"), {"file": SimpleUploadedFile(name, content.encode())}
    )


def test_a_good_file_is_imported_and_a_second_time_changes_nothing(client):
    client.force_login(make_user(Role.POLICE_OFFICER))
    first = upload(client, "feed.csv", GOOD)
    assert first.status_code == 200
    assert "2 applied, 0 changed, 0 unchanged" in first.content.decode()
    second = upload(client, "feed.csv", GOOD)
    assert "0 applied, 0 changed, 2 unchanged" in second.content.decode()
    assert Case.objects.count() == 1


def test_a_bad_row_is_named_and_nothing_is_stored(client):
    client.force_login(make_user(Role.POLICE_OFFICER))
    response = upload(client, "feed.csv", GOOD + "3,20/2/26,arson,party_added,P2,victim,X\n")
    assert response.status_code == 400
    assert "Row 3, offence_category: must be one of" in response.content.decode()
    assert not Case.objects.exists()
    wrong = upload(client, "feed.xlsx", GOOD)
    assert wrong.status_code == 400
    assert "The file must be a CSV or JSON Lines file" in wrong.content.decode()
