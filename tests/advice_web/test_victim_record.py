"""The victim's record ("What has been shared about you"): a summary first, the important
entries grouped by kind and in pages, the routine reads folded into one line a day with every
receipt still there."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from safeshare.advice import ledger_link
from safeshare.advice.victim_views import SHARED_PAGE_SIZE
from safeshare.kernel.policy import policy_in_force
from safeshare.kernel.roles import Role
from safeshare.kernel.transactions import action_transaction
from safeshare.ledger.actions import append_entry
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.ledger.entries import EntryKind
from safeshare.ledger.keys import token_for_record
from tests.advice_web.support import issue_letter, officer, protected_victim

pytestmark = pytest.mark.django_db

DAY_ENTRIES = 47
POLICE_READS = 12


@pytest.fixture
def victim(client):
    police = officer()
    protection = protected_victim(police)
    issued = issue_letter(protection, police)
    response = client.post(
        "/my-protection/", {"reference": protection.reference, "passcode": issued.passcode}
    )
    assert response.status_code == 302
    return protection, police


def read(actor, person, times: int) -> None:
    for _ in range(times):
        do_record_personal_data_read(actor, [person], "case_page")


def case_events(actor, person, times: int) -> None:
    policy = policy_in_force()
    for number in range(times):
        with action_transaction():
            append_entry(
                EntryKind.CASE_EVENT,
                actor=actor,
                policy_id=policy.id,
                policy_version=policy.version,
                subjects=[str(person.public_id)],
                payload={"case": token_for_record("case", number)},
            )


def tags_with(page: str, name: str) -> list[str]:
    return re.findall(rf'<[^>]*data-testid="{name}"[^>]*>', page)


def count_of(tag: str) -> int:
    found = re.search(r'data-count="(\d+)"', tag)
    assert found is not None, tag
    return int(found[1])


@pytest.fixture
def busy_day(victim):
    """47 entries about the person on one day, most of them routine reads."""
    protection, police = victim
    person = protection.person
    base = len(ledger_link.entries_about(person))
    ie = officer("IE-NCCU", Role.IE_CASEWORKER)
    read(police, person, POLICE_READS)
    read(ie, person, DAY_ENTRIES - base - POLICE_READS)
    assert len(ledger_link.entries_about(person)) == DAY_ENTRIES
    return protection, base


def test_a_busy_day_is_a_summary_a_few_grouped_entries_and_one_line_of_reads(
    client, busy_day, ledger_service
):
    protection, base = busy_day
    page = client.get(reverse("advice:victim-shared")).text
    reads = DAY_ENTRIES - base
    # The summary comes first.
    assert page.index('data-testid="record-summary"') < page.index('data-testid="shared-list"')
    assert 'data-status="active"' in page
    assert protection.opened_by.name in page
    [shared] = tags_with(page, "record-shared")
    assert count_of(shared) == 1
    assert "1 time, most recently on" in page
    [looked] = tags_with(page, "record-reads")
    assert count_of(looked) == reads
    # The important entries, grouped by kind under headings.
    assert "Shared with Immigration Enforcement, or asked about you" in page
    assert re.search(r'<h2 class="govuk-heading-l">Your protection</h2>', page)
    entries = tags_with(page, "disclosure")
    assert len(entries) == DAY_ENTRIES  # every entry is on the page, the reads folded
    important = page[: page.index('data-testid="reads-list"')]
    assert important.count('data-testid="disclosure"') == base
    assert 'data-kind="personal_data_read"' not in important
    # One folded line for the day, saying how many reads and by whom.
    [day] = tags_with(page, "read-day")
    assert count_of(day) == reads
    assert f"your record was looked at {reads} times, by " in page
    assert f"({POLICE_READS})" in page
    assert f"({reads - POLICE_READS})" in page
    # The counts add up to the ledger's entries.
    assert base + count_of(day) == len(ledger_link.entries_about(protection.person))


def test_every_receipt_of_a_read_can_still_be_reached(client, busy_day, ledger_service):
    protection, base = busy_day
    page = client.get(reverse("advice:victim-shared")).text
    folded = page[page.index('data-testid="reads-list"') :]
    reads = [
        entry
        for entry in ledger_link.entries_about(protection.person)
        if entry.kind == "personal_data_read"
    ]
    assert len(reads) == DAY_ENTRIES - base
    for entry in reads:
        url = reverse("advice:victim-receipt", kwargs={"entry_id": entry.pk})
        assert f'href="{url}"' in folded
        assert client.get(url).status_code == 200
    assert folded.count('data-holds="true"') >= len(reads)
    assert 'data-holds="false"' not in page


def test_important_entries_come_in_pages_and_the_reads_stay_folded(
    client, victim, no_ledger_service
):
    protection, police = victim
    person = protection.person
    base = len(ledger_link.entries_about(person))
    case_events(police, person, SHARED_PAGE_SIZE + 5 - base)
    read(police, person, 3)
    url = reverse("advice:victim-shared")
    first = client.get(url).text
    second = client.get(url + "?page=2").text
    on_first = first[: first.index('data-testid="reads-list"')].count('data-testid="disclosure"')
    on_second = second[: second.index('data-testid="reads-list"')].count(
        'data-testid="disclosure"'
    )
    assert on_first == SHARED_PAGE_SIZE
    assert on_second == 5
    assert 'data-testid="record-pages"' in first
    assert 'href="?page=2"' in first
    assert 'rel="next"' in first
    assert 'rel="prev"' in second
    assert "Page 2 of 2" in second
    assert "Something happened in the police case" in second
    # The summary and the folded reads describe the whole record on every page.
    for page in (first, second):
        [looked] = tags_with(page, "record-reads")
        assert count_of(looked) == 3
        [day] = tags_with(page, "read-day")
        assert count_of(day) == 3
    # A page number out of range shows the last page, not an error.
    assert client.get(url + "?page=99").status_code == 200


def test_a_record_with_no_reads_says_so(client, victim, no_ledger_service):
    page = client.get(reverse("advice:victim-shared")).text
    assert "Nobody has looked at your record." in page
    assert 'data-testid="record-pages"' not in page


def test_in_another_language_the_english_beside_is_english(client, busy_day, no_ledger_service):
    client.get(reverse("advice:victim-language", kwargs={"code": "es"}))
    page = client.get(reverse("advice:victim-shared")).text
    groups = page[page.index('data-testid="shared-list"') : page.index('data-testid="reads-list"')]
    shown, english = groups.split('<div lang="en" dir="ltr">')
    assert "Su protección empezó" in shown
    assert "Your protection started" not in shown
    assert "Your protection started" in english
    assert "Su protección empezó" not in english
    reads = page[page.index('data-testid="reads-list"') :]
    shown, english = reads.split('<div lang="en" dir="ltr">', 1)
    assert "su expediente se consultó" in shown
    assert "your record was looked at" in english
