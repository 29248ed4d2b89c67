"""Police pages: the case list, recording a case, adding a person, recording an event."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from django.urls import reverse

from safeshare.accounts.actors import Actor
from safeshare.cases import actions as case_actions
from safeshare.cases.models import Case, CaseEvent, Party
from safeshare.ledger.models import LedgerEntry
from safeshare.people.models import Person
from tests.pages.check_answers import answer_and_confirm, answers_token, confirm
from tests.pages.helpers import error_summary, signed_in, text

pytestmark = pytest.mark.django_db


def case_url(name: str, case: Case) -> str:
    return reverse(name, kwargs={"case_id": case.public_id})


# --- Case list -------------------------------------------------------------------------------


def test_case_list_shows_only_own_force_cases_with_state_tags(client, officer, other_officer):
    mine = case_actions.do_create_case(
        Actor.for_user(officer), crime_reference="20/1/26", offence_category="domestic_abuse"
    )
    case_actions.do_create_case(
        Actor.for_user(other_officer), crime_reference="06/9/26", offence_category="other"
    )
    response = signed_in(client, officer).get(reverse("cases:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert mine.crime_reference in html
    assert "06/9/26" not in html
    assert "govuk-tag" in html
    assert "Reported" in html
    assert 'data-module="moj-sortable-table"' in html


def test_case_list_when_empty(client, officer):
    response = signed_in(client, officer).get(reverse("cases:list"))
    assert "has not recorded any cases yet" in response.content.decode()


# --- Record a case ---------------------------------------------------------------------------


def test_record_a_case(client, officer):
    response = signed_in(client, officer).post(
        reverse("cases:create"),
        {"crime_reference": " 20/555/26 ", "offence_category": "domestic_abuse"},
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case_url("cases:detail", case)
    assert case.crime_reference == "20/555/26"
    assert case.force == officer.organisation
    page = client.get(response["Location"])
    assert "Case 20/555/26 recorded" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"offence_category": "domestic_abuse"}, "Enter the crime reference"),
        ({"crime_reference": "   ", "offence_category": "other"}, "Enter the crime reference"),
        ({"crime_reference": "20/1/26"}, "Select what kind of crime it is"),
        (
            {"crime_reference": "20/1/26", "offence_category": "shoplifting"},
            "Select what kind of crime it is from the list",
        ),
        (
            {"crime_reference": "x" * 41, "offence_category": "other"},
            "Crime reference must be 40 characters or fewer",
        ),
    ],
)
def test_record_a_case_with_bad_input_stores_nothing(client, officer, data, message):
    response = signed_in(client, officer).post(reverse("cases:create"), data)
    assert response.status_code == 400  # a refused form is a 4xx
    assert message in error_summary(response)
    assert response.content.decode().count("<title>Error: ") == 1
    assert not Case.objects.exists()


def test_a_duplicate_crime_reference_is_refused_by_the_action(client, officer, case):
    response = signed_in(client, officer).post(
        reverse("cases:create"),
        {"crime_reference": case.crime_reference, "offence_category": "other"},
    )
    assert "already has a case with the reference" in error_summary(response)
    assert Case.objects.count() == 1


# --- Case page -------------------------------------------------------------------------------


def test_case_page_shows_summary_people_and_timeline(client, officer, case, protected_victim):
    case_actions.do_record_case_event(case, Actor.for_user(officer), event="investigation_opened")
    response = signed_in(client, officer).get(case_url("cases:detail", case))
    html = response.content.decode()
    protection = protected_victim.person.protections.get()
    assert response.status_code == 200
    assert "govuk-summary-list" in html
    assert "Fatema Begum" in html
    assert "Victim" in html
    assert protection.reference in html
    assert "Active" in html
    assert "moj-timeline" in html
    assert "Investigation opened" in html
    referral = protected_victim.referrals.get()
    assert reverse("referrals:detail", kwargs={"referral_id": referral.public_id}) in html
    assert "Referred on" in html


def test_case_page_offers_to_refer_a_victim_not_yet_referred(client, officer, case, victim):
    html = signed_in(client, officer).get(case_url("cases:detail", case)).content.decode()
    refer = reverse("referrals:start", kwargs={"case_id": case.public_id, "party_id": victim.pk})
    assert refer in html
    assert "Not protected" in html


def test_case_page_records_the_read_in_the_ledger(client, officer, case, victim):
    before = LedgerEntry.objects.filter(kind="personal_data_read").count()
    signed_in(client, officer).get(case_url("cases:detail", case))
    entry = LedgerEntry.objects.filter(kind="personal_data_read").latest("id")
    assert LedgerEntry.objects.filter(kind="personal_data_read").count() == before + 1
    assert entry.draft["payload"]["purpose"] == "case_page"
    assert len(entry.draft["subjects"]) == 1
    assert "Begum" not in str(entry.draft)


def test_a_case_page_with_nobody_in_it_records_no_read(client, officer, case):
    signed_in(client, officer).get(case_url("cases:detail", case))
    assert not LedgerEntry.objects.filter(kind="personal_data_read").exists()


@pytest.mark.parametrize(
    "name", ["cases:detail", "cases:add-party", "cases:record-event", "protocol:case-event"]
)
def test_another_forces_case_is_not_found(client, other_officer, case, name):
    response = signed_in(client, other_officer).get(case_url(name, case))
    assert response.status_code == 404


def test_another_force_cannot_post_to_a_case(client, other_officer, case):
    response = signed_in(client, other_officer).post(
        case_url("cases:record-event", case), {"event": "investigation_opened"}
    )
    assert response.status_code == 404
    assert not CaseEvent.objects.exists()


def test_ie_cannot_open_a_case_page(client, caseworker, case):
    response = signed_in(client, caseworker).get(case_url("cases:detail", case))
    assert response.status_code == 403


# --- Add a person ----------------------------------------------------------------------------

PERSON = {
    "given_names": "Fatema",
    "family_name": "Begum",
    "aliases": "Fatima Begum\n\n  Mst Fatema  \n",
    "date_of_birth": "1991-03",
    "sex": "female",
    "nationality": "Bangladeshi",
    "passport_number": "bd 123-456",
    "home_office_reference": "",
    "role": "victim",
    "migrant": "on",
}


def test_add_a_person(client, officer, case):
    response = signed_in(client, officer).post(case_url("cases:add-party", case), PERSON)
    assert response.status_code == 302
    party = Party.objects.get()
    identity = party.person.identities.get()
    assert party.case == case
    assert party.role == "victim"
    assert party.migrant
    assert identity.aliases == ["Fatima Begum", "Mst Fatema"]
    assert identity.date_of_birth == "1991-03"
    assert identity.nationality_code == "BGD"
    assert identity.passport_number == "BD123456"
    assert "Fatema Begum added as victim" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (
            {"date_of_birth-day": "14", "date_of_birth-month": "3", "date_of_birth-year": "1991"},
            "1991-03-14",
        ),
        (
            {"date_of_birth-day": "", "date_of_birth-month": "03", "date_of_birth-year": "1991"},
            "1991-03",
        ),
        (
            {"date_of_birth-day": " ", "date_of_birth-month": "", "date_of_birth-year": "1991"},
            "1991",
        ),
        ({"date_of_birth": "14/03/1991"}, "1991-03-14"),
        ({"date_of_birth-day": "", "date_of_birth-month": "", "date_of_birth-year": ""}, ""),
    ],
)
def test_a_date_of_birth_is_typed_in_the_date_input(client, officer, case, typed, stored):
    data = {key: value for key, value in PERSON.items() if key != "date_of_birth"}
    response = signed_in(client, officer).post(
        case_url("cases:add-party", case), {**data, **typed}
    )
    assert response.status_code == 302
    assert Party.objects.get().person.identities.get().date_of_birth == stored


def test_the_date_input_shows_day_month_and_year_boxes(client, officer, case):
    html = signed_in(client, officer).get(case_url("cases:add-party", case)).content.decode()
    for part in ("day", "month", "year"):
        assert f'name="date_of_birth-{part}"' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Date of birth' in html


def test_add_a_person_who_is_not_a_migrant(client, officer, case):
    data = {**PERSON, "role": "witness"}
    del data["migrant"]
    signed_in(client, officer).post(case_url("cases:add-party", case), data)
    assert Party.objects.get().migrant is False


def test_add_person_form_shows_the_fields(client, officer, case):
    html = signed_in(client, officer).get(case_url("cases:add-party", case)).content.decode()
    for label in (
        "Given names",
        "Family name",
        "Other names or spellings",
        "Date of birth",
        "Sex",
        "Nationality",
        "Passport number",
        "Home Office reference",
        "What is their role in the case?",
        "insecure immigration status",
    ):
        assert label in html
    assert "novalidate" in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"given_names": "", "family_name": ""}, "Give at least a given name or a family name"),
        ({"date_of_birth": "March 1991"}, "Date of birth must be a real date"),
        ({"date_of_birth-day": "14", "date_of_birth-year": "1991"}, "must include a month"),
        (
            {"date_of_birth-day": "x", "date_of_birth-month": "3", "date_of_birth-year": "1991"},
            "Date of birth must be a real date",
        ),
        ({"date_of_birth-month": "3", "date_of_birth-year": "91"}, "Year must include 4 numbers"),
        ({"date_of_birth": "1991-02-30"}, "Date of birth must be a real date"),
        ({"date_of_birth": "1991-13"}, "Date of birth must be a real date"),
        ({"date_of_birth": "1850"}, "Date of birth year must be between 1900"),
        ({"sex": "banana"}, "Select the person's sex from the list"),
        ({"role": ""}, "Select the person's role in the case"),
        ({"role": "bystander"}, "Select the person's role from the list"),
        ({"passport_number": "AB#12"}, "Use only letters, numbers and /"),
        ({"given_names": "Fat\x07ema"}, "must not contain control characters"),
        ({"family_name": "B" * 201}, "Family name must be 200 characters or fewer"),
    ],
)
def test_add_a_person_with_bad_input_stores_nothing(client, officer, case, changes, message):
    data = {**PERSON, **changes}
    if any(key.startswith("date_of_birth-") for key in changes):
        del data["date_of_birth"]  # the three boxes of the date input, as the page posts them
    response = signed_in(client, officer).post(case_url("cases:add-party", case), data)
    assert response.status_code == 400  # a refused form is a 4xx
    assert message in error_summary(response)
    assert not Person.objects.exists()
    assert not Party.objects.exists()


# --- Record an event -------------------------------------------------------------------------


def test_event_form_offers_only_valid_events_and_explains_the_rest(client, officer, case):
    html = signed_in(client, officer).get(case_url("cases:record-event", case)).content.decode()
    assert 'value="investigation_opened"' in html
    assert 'value="no_further_action"' in html
    assert 'value="trial_started"' not in html
    assert "A trial cannot start before the prosecution has started." in html


def test_record_an_event(client, officer, case):
    url = case_url("protocol:case-event", case)
    signed_in(client, officer)
    check = client.post(url, {"event": "investigation_opened"})
    assert check.status_code == 200
    assert "Check the event before you record it" in text(check)
    assert "No one in this case has a protection" in text(check)
    assert not CaseEvent.objects.exists()  # nothing stored before the confirm button
    response = confirm(client, url, check)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "under_investigation"
    event = CaseEvent.objects.get()
    assert event.occurred_on == dt.date.today()
    done = client.get(response["Location"])
    assert "Event recorded" in text(done)
    assert "Investigation opened" in text(done)
    assert "govuk-panel--confirmation" in text(done)
    assert "What happens next" in text(done)
    # Pressing the button again (a double click, a refresh) records nothing more.
    again = confirm(client, url, check)
    assert again["Location"] == response["Location"]
    assert CaseEvent.objects.count() == 1


def test_the_old_question_address_sends_answers_on_to_check_them(client, officer, case):
    response = signed_in(client, officer).post(
        case_url("cases:record-event", case), {"event": "investigation_opened"}, follow=True
    )
    assert "Check the event before you record it" in text(response)
    assert not CaseEvent.objects.exists()


def test_change_brings_the_answers_back_to_the_question(client, officer, case):
    signed_in(client, officer)
    check = client.post(
        case_url("protocol:case-event", case),
        {"event": "investigation_opened", "occurred_on": "2/1/2026"},
    )
    change = re.search(r'href="([^"]*events/new/\?answers=[^"]+)"', check.content.decode())
    assert change
    question = client.get(html_lib.unescape(change.group(1)))
    html = question.content.decode()
    assert re.search(r'value="investigation_opened"[^>]*checked', html)
    assert 'value="2"' in html
    assert 'value="2026"' in html


def test_answers_altered_or_from_someone_else_are_not_acted_on(
    client, officer, case, django_user_model
):
    signed_in(client, officer)
    url = case_url("protocol:case-event", case)
    check = client.post(url, {"event": "investigation_opened"})
    token = answers_token(check)
    response = client.post(url, {"answers": token[:-2] + "xx", "confirm": "yes"})
    assert response.status_code == 302
    assert response["Location"] == case_url("cases:record-event", case)
    assert not CaseEvent.objects.exists()


def test_an_event_recorded_meanwhile_makes_the_checked_answers_stale(client, officer, case):
    signed_in(client, officer)
    url = case_url("protocol:case-event", case)
    check = client.post(url, {"event": "investigation_opened"})
    case_actions.do_record_case_event(case, Actor.for_user(officer), event="investigation_opened")
    response = confirm(client, url, check)
    assert "changed since you checked your answers" in error_summary(response)
    assert CaseEvent.objects.count() == 1


def test_record_an_event_with_a_date(client, officer, case):
    signed_in(client, officer)
    answer_and_confirm(
        client,
        case_url("protocol:case-event", case),
        {"event": "investigation_opened", "occurred_on": "2/1/2026"},
    )
    assert CaseEvent.objects.get().occurred_on == dt.date(2026, 1, 2)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select what happened"),
        ({"event": "alien_abduction"}, "Select what happened from the list"),
        ({"event": "trial_started"}, "A trial cannot start before the prosecution has started."),
        ({"event": "investigation_opened", "occurred_on": "31/2/2026"}, "must be a real date"),
        (
            {"event": "investigation_opened", "occurred_on-day": "3", "occurred_on-year": "2026"},
            "The date it happened must include a month",
        ),
        ({"event": "investigation_opened", "occurred_on": "1/1/2999"}, "today or in the past"),
    ],
)
def test_record_an_event_with_bad_input_stores_nothing(client, officer, case, data, message):
    response = signed_in(client, officer).post(case_url("protocol:case-event", case), data)
    assert response.status_code == 400  # a refused form is a 4xx
    assert message in error_summary(response)
    assert not CaseEvent.objects.exists()
    case.refresh_from_db()
    assert case.state == "reported"
