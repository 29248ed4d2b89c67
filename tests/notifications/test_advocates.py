"""Advocates see a person only with their consent, exactly that person, and nothing once it is
withdrawn; every advocate read is audited; the advocate is told as the person's representative."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.kernel.roles import OrganisationKind, Role
from safeshare.ledger.models import LedgerEntry
from safeshare.notifications import actions as notices
from safeshare.notifications.models import AdvocateConsent, Notification
from safeshare.protocol.models import Protection
from tests.accounts.factories import make_user
from tests.notifications.conftest import victim_with_contact
from tests.pages.conftest import organisation
from tests.support.factories import PartyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def support(db):
    return organisation(
        "LAWRS", OrganisationKind.SUPPORT_ORGANISATION, "Latin American Women's Rights"
    )


@pytest.fixture
def other_support(db):
    return organisation("SBS", OrganisationKind.SUPPORT_ORGANISATION, "Southall Black Sisters")


@pytest.fixture
def advocate(support):
    return make_user(Role.ADVOCATE, support)


@pytest.fixture
def other_advocate(other_support):
    return make_user(Role.ADVOCATE, other_support)


def consent_for(protection: Protection, support, **values) -> AdvocateConsent:
    return notices.do_record_advocate_consent(
        protection.person,
        reference=protection.reference,
        organisation=support,
        recorded_by="PC Test",
        recorded_by_org=None,
        **values,
    )


def audited(purpose: str) -> int:
    return sum(
        1
        for entry in LedgerEntry.objects.filter(kind="personal_data_read")
        if (entry.draft.get("payload") or {}).get("purpose") == purpose
    )


def test_without_consent_an_advocate_sees_nothing(client, advocate, protection):
    client.force_login(advocate)
    page = client.get(reverse("advocates:people"))
    assert page.status_code == 200
    assert protection.reference not in page.content.decode()
    assert b"advocate-no-people" in page.content


def test_with_consent_exactly_that_person_and_after_withdrawal_nothing(
    client, advocate, other_advocate, protection, officer, case
):
    consent = consent_for(protection, advocate.organisation)
    client.force_login(advocate)
    listing = client.get(reverse("advocates:people")).content.decode()
    assert protection.reference in listing
    page = client.get(reverse("advocates:person", kwargs={"consent_id": consent.public_id}))
    assert page.status_code == 200
    assert b'data-testid="advocate-status"' in page.content
    # The status is explained about the person, not to them.
    assert "The person is protected." in page.content.decode()
    assert "You are protected" not in page.content.decode()
    assert audited("advocate_person") == 1

    # Another organisation's advocate: not found, and nothing audited for them.
    client.force_login(other_advocate)
    assert (
        client.get(
            reverse("advocates:person", kwargs={"consent_id": consent.public_id})
        ).status_code
        == 404
    )
    assert protection.reference not in client.get(reverse("advocates:people")).content.decode()

    # Withdrawn: the advocate's access ends at once.
    notices.do_withdraw_advocate_consent(consent, withdrawn_by="The person themselves")
    client.force_login(advocate)
    assert (
        client.get(
            reverse("advocates:person", kwargs={"consent_id": consent.public_id})
        ).status_code
        == 404
    )
    assert protection.reference not in client.get(reverse("advocates:people")).content.decode()


def test_a_consent_naming_one_advocate_lets_no_colleague_in(client, advocate, support, protection):
    colleague = make_user(Role.ADVOCATE, support)
    consent = consent_for(protection, support, advocate=advocate)
    url = reverse("advocates:person", kwargs={"consent_id": consent.public_id})
    client.force_login(colleague)
    assert client.get(url).status_code == 404
    client.force_login(advocate)
    assert client.get(url).status_code == 200


def test_an_expired_consent_gives_no_access(client, advocate, protection):
    consent = consent_for(protection, advocate.organisation, valid_until=timezone.localdate())
    AdvocateConsent.objects.filter(pk=consent.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    client.force_login(advocate)
    url = reverse("advocates:person", kwargs={"consent_id": consent.public_id})
    assert client.get(url).status_code == 404


def test_what_is_shared_follows_the_consent(client, advocate, protection):
    only_status = consent_for(
        protection, advocate.organisation, share_notices=False, share_advice=False
    )
    client.force_login(advocate)
    page = client.get(reverse("advocates:person", kwargs={"consent_id": only_status.public_id}))
    body = page.content.decode()
    assert "Notices sent to the person" not in body
    assert "Advice" not in body.split("Consent ends")[1]
    everything = consent_for(protection, advocate.organisation)
    body = client.get(
        reverse("advocates:person", kwargs={"consent_id": everything.public_id})
    ).content.decode()
    assert "Notices sent to the person" in body
    assert "Protection opened" in body


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"notice_channel": "email", "notice_address": "not an email"}, "notice_address"),
        ({"notice_channel": "sms", "notice_address": "12"}, "notice_address"),
        ({"notice_channel": "pigeon"}, "notice_channel"),
        ({"valid_until": dt.date(2020, 1, 1)}, "valid_until"),
    ],
)
def test_bad_consent_is_refused_with_the_field_and_nothing_stored(
    protection, support, values, field
):
    with pytest.raises(ValidationError) as raised:
        consent_for(protection, support, **values)
    assert field in raised.value.message_dict
    assert not AdvocateConsent.objects.exists()


def test_consent_for_a_police_force_or_an_advocate_elsewhere_is_refused(
    protection, support, force, other_advocate
):
    with pytest.raises(ValidationError) as raised:
        consent_for(protection, force)
    assert "organisation" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        consent_for(protection, support, advocate=other_advocate)
    assert "advocate" in raised.value.message_dict
    assert not AdvocateConsent.objects.exists()


def test_staff_record_and_withdraw_consent_on_the_protection_page(
    client, officer, protection, support, advocate
):
    client.force_login(officer)
    url = reverse("advocates:protection-consents", kwargs={"reference": protection.reference})
    bad = client.post(
        url, {"organisation": support.pk, "notice_channel": "email", "notice_address": "nope"}
    )
    assert bad.status_code == 400
    assert b"govuk-error-summary" in bad.content
    assert not AdvocateConsent.objects.exists()
    good = client.post(
        url,
        {
            "organisation": support.pk,
            "share_notices": "on",
            "notice_channel": "email",
            "notice_address": "lucia@lawrs.example.org",
        },
    )
    assert good.status_code == 302
    consent = AdvocateConsent.objects.get()
    assert (consent.share_notices, consent.share_advice) == (True, False)
    assert consent.recorded_by_org == officer.organisation
    withdraw = reverse(
        "advocates:withdraw",
        kwargs={"reference": protection.reference, "consent_id": consent.public_id},
    )
    assert client.get(withdraw).status_code == 405
    assert client.post(withdraw).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_another_forces_officer_cannot_record_consent(client, other_officer, protection):
    client.force_login(other_officer)
    url = reverse("advocates:protection-consents", kwargs={"reference": protection.reference})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", list(Role))
def test_role_matrix_for_the_advocate_pages(client, role, protection, support):
    consent = consent_for(protection, support)
    user = make_user(role, support if role == Role.ADVOCATE else None)
    client.force_login(user)
    person = client.get(reverse("advocates:person", kwargs={"consent_id": consent.public_id}))
    people = client.get(reverse("advocates:people"))
    consents = client.get(
        reverse("advocates:protection-consents", kwargs={"reference": protection.reference})
    )
    if role == Role.ADVOCATE:
        assert (people.status_code, person.status_code) == (200, 200)
    else:
        assert (people.status_code, person.status_code) == (403, 403)
    if role in (Role.POLICE_OFFICER, Role.PROTOCOL_OFFICER):
        assert consents.status_code == 404  # another force's officer: not found
    else:
        assert consents.status_code == 403


def test_the_advocate_is_told_as_representative_and_not_after_withdrawal(
    smtp_server, case, officer, support
):
    victim = victim_with_contact(case, officer)  # no safe channel of her own
    protection = Protection.objects.get(person=victim.person)
    consent = consent_for(
        protection, support, notice_channel="email", notice_address="lucia@lawrs.example.org"
    )
    from safeshare.protocol import outcomes

    outcomes.notify_person(
        protection, outcomes.Event.PROTECTION_REACTIVATED, outcomes.active_policy()
    )
    notices.deliver_due()
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["lucia@lawrs.example.org"]
    body = message.get_content()
    assert protection.reference in body
    assert f"/advocate/people/{consent.public_id}/" in body
    for detail in ("Fatema", "Begum", "domestic", "immigration"):
        assert detail.lower() not in body.lower()

    outcomes.notify_person(
        protection, outcomes.Event.PROTECTION_REACTIVATED, outcomes.active_policy()
    )
    notices.do_withdraw_advocate_consent(consent, withdrawn_by="The person themselves")
    notices.deliver_due()
    assert len(smtp_server.messages) == 1
    waiting = Notification.objects.filter(representative=consent).order_by("-id").first()
    assert waiting.status == Notification.Status.WITHHELD


def test_the_person_records_and_withdraws_consent_on_their_own_pages(
    client, protection, officer, support
):
    from safeshare.advice import actions as advice_actions

    issued = advice_actions.do_issue_protection_letter(
        protection,
        Actor.for_user(officer),
        language="en",
        delivery="handed_over",
        view_url="http://testserver/my-protection/",
    )
    client.post(
        reverse("advice:victim-sign-in"),
        {"reference": protection.reference, "passcode": issued.passcode},
    )
    url = reverse("advocates:victim-consents")
    page = client.get(url)
    assert page.status_code == 200
    assert "Your support organisation" in page.content.decode()
    assert "Exit this page" in page.content.decode()
    bad = client.post(url, {"notice_channel": "none"})
    assert bad.status_code == 400
    assert not AdvocateConsent.objects.exists()
    assert (
        client.post(
            url, {"organisation": support.pk, "notice_channel": "none", "share_advice": "on"}
        ).status_code
        == 302
    )
    consent = AdvocateConsent.objects.get()
    assert consent.given_by_person
    assert consent.share_advice
    assert not consent.share_notices
    # A withdrawal naming no consent of theirs: not found, and the consent stands.
    for bad in ("nonsense", "00000000-0000-0000-0000-000000000000"):
        assert client.post(url, {"withdraw": bad}).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert client.post(url, {"withdraw": str(consent.public_id)}).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_the_advocate_can_be_texted_through_notify(notify_server, case, officer, support):
    victim = victim_with_contact(case, officer)
    protection = Protection.objects.get(person=victim.person)
    consent_for(protection, support, notice_channel="sms", notice_address="07700 900456")
    from safeshare.protocol import outcomes

    outcomes.notify_person(
        protection, outcomes.Event.PROTECTION_REACTIVATED, outcomes.active_policy()
    )
    notices.deliver_due()
    assert notify_server.problems == []
    [(path, body)] = notify_server.requests
    assert path.endswith("/sms")
    assert body["phone_number"] == "07700 900456"
    assert protection.reference in body["personalisation"]["body"]


# --- The protection letter and subject access, on the person's behalf ------------------------


def _issue_letter(protection, officer):
    from safeshare.advice import actions as advice_actions

    return advice_actions.do_issue_protection_letter(
        protection,
        Actor.for_user(officer),
        language="en",
        delivery="handed_over",
        view_url="http://testserver/my-protection/",
    )


def _pdf_text(pdf: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "copy.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_an_advocate_downloads_a_copy_of_the_letter_without_passcode_or_name(
    client, advocate, other_advocate, protection, officer, tmp_path
):
    consent = consent_for(protection, advocate.organisation, share_notices=False)
    url = reverse("advocates:letter-pdf", kwargs={"consent_id": consent.public_id})
    client.force_login(advocate)
    assert client.get(url).status_code == 404, "no letter has been issued yet"
    issued = _issue_letter(protection, officer)
    person = client.get(reverse("advocates:person", kwargs={"consent_id": consent.public_id}))
    assert "Download a copy of the protection letter" in person.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert protection.reference in text
    assert "A copy for the person's advocate" in text
    assert issued.passcode not in text
    assert "Your passcode" not in text
    identity = protection.person.primary_identity
    assert identity.family_name not in text
    assert audited("advocate_letter") == 1
    # Another organisation's advocate, and anyone after withdrawal: not found.
    client.force_login(other_advocate)
    assert client.get(url).status_code == 404
    notices.do_withdraw_advocate_consent(consent, withdrawn_by="The person themselves")
    client.force_login(advocate)
    assert client.get(url).status_code == 404
    assert audited("advocate_letter") == 1


def _answers_token(page: str) -> str:
    import re

    found = re.search(r'name="answers" value="([^"]+)"', page)
    assert found, "no check-answers page"
    return found.group(1)


def _ask_through_pages(client, url):
    """The advocate's question, check-answers and confirm: the confirm's response."""
    check = client.post(url, {"person_asked": "on"})
    assert check.status_code == 200
    return client.post(url, {"answers": _answers_token(check.content.decode()), "confirm": "yes"})


def test_an_advocate_asks_for_a_subject_access_export_for_the_person(
    client, advocate, other_advocate, protection
):
    from safeshare.notifications.models import StaffNotice, SubjectAccessRequest

    consent = consent_for(protection, advocate.organisation, share_advice=False)
    url = reverse("advocates:subject-access", kwargs={"consent_id": consent.public_id})
    client.force_login(advocate)
    page = client.get(url)
    assert page.status_code == 200
    assert "You will not get the copy yourself" in page.content.decode()
    assert audited("advocate_subject_access") == 1
    # Without saying the person asked: refused, nothing stored.
    refused = client.post(url, {})
    assert refused.status_code == 400
    assert "Confirm that the person asked you to request this" in refused.content.decode()
    assert "govuk-error-summary" in refused.content.decode()
    # The check-answers page stores nothing.
    check = client.post(url, {"person_asked": "on"})
    assert check.status_code == 200
    assert "Check your request before sending it" in check.content.decode()
    assert not SubjectAccessRequest.objects.exists()
    assert not StaffNotice.objects.filter(kind="subject_access_requested").exists()
    # "Change" goes back to the question with the answer kept, and stores nothing.
    import html
    import re

    change = re.search(r'class="govuk-link" href="([^"]+\?answers=[^"]+)"', check.content.decode())
    assert change, "a Change link"
    refilled = client.get(html.unescape(change.group(1))).content.decode()
    assert re.search(r'id="person_asked"[^>]* checked', refilled)
    assert not SubjectAccessRequest.objects.exists()
    # Altered answers are not acted on.
    lost = client.post(url, {"answers": "not-a-token", "confirm": "yes"})
    assert lost.status_code == 302
    assert not SubjectAccessRequest.objects.exists()
    token = _answers_token(check.content.decode())
    response = client.post(url, {"answers": token, "confirm": "yes"})
    assert response.status_code == 302
    assert "?done=" in response["Location"]
    # A second press of the same button: the same confirmation, nothing sent twice.
    again = client.post(url, {"answers": token, "confirm": "yes"})
    assert again["Location"] == response["Location"]
    request = SubjectAccessRequest.objects.get()
    assert (request.consent, request.person, request.force) == (
        consent,
        protection.person,
        protection.opened_by,
    )
    assert request.requested_by_org == advocate.organisation
    task = StaffNotice.objects.get(kind="subject_access_requested")
    assert (task.organisation, task.role) == (protection.opened_by, "protocol_officer")
    assert (
        task.link
        == reverse("advice:subject-access", kwargs={"person_id": protection.person.public_id})
        + f"?request={request.public_id}"
    )
    assert protection.reference in task.message
    done = client.get(response["Location"]).content.decode()
    assert "govuk-panel--confirmation" in done
    assert "Request sent" in done
    assert "What happens next" in done
    assert protection.opened_by.name in done
    assert SubjectAccessRequest.objects.count() == 1  # the confirmation page writes nothing
    person = client.get(
        reverse("advocates:person", kwargs={"consent_id": consent.public_id})
    ).content.decode()
    assert "You asked for the person's information on" in person
    # Another advocate cannot read the confirmation.
    client.force_login(other_advocate)
    assert client.get(response["Location"]).status_code == 404
    client.force_login(advocate)
    # No export reached the advocate: the request is all that was stored.
    from safeshare.advice.models import SubjectAccessExport

    assert not SubjectAccessExport.objects.exists()
    # Three a day at most; a fourth is refused with a clear message and nothing stored.
    _ask_through_pages(client, url)
    _ask_through_pages(client, url)
    refused = _ask_through_pages(client, url)
    assert refused.status_code == 400
    assert "asked 3 times today" in refused.content.decode()
    assert SubjectAccessRequest.objects.count() == 3
    assert StaffNotice.objects.filter(kind="subject_access_requested").count() == 3
    # Another organisation's advocate, and after withdrawal: not found, nothing stored.
    client.force_login(other_advocate)
    assert client.post(url, {"person_asked": "on"}).status_code == 404
    notices.do_withdraw_advocate_consent(consent, withdrawn_by="The person themselves")
    client.force_login(advocate)
    assert client.post(url, {"person_asked": "on"}).status_code == 404
    assert client.get(url).status_code == 404
    assert SubjectAccessRequest.objects.count() == 3
    assert StaffNotice.objects.filter(kind="subject_access_requested").count() == 3


def test_the_action_refuses_without_consent_in_force(advocate, protection):
    consent = consent_for(protection, advocate.organisation)
    notices.do_withdraw_advocate_consent(consent, withdrawn_by="The person themselves")
    with pytest.raises(ValidationError, match="no longer in force"):
        notices.do_request_subject_access(
            consent, Actor.for_user(advocate), force=protection.opened_by, person_link="/"
        )


def _ask(consent, advocate, protection):
    return notices.do_request_subject_access(
        consent, Actor.for_user(advocate), force=protection.opened_by, person_link="/"
    )


def test_only_the_export_made_for_the_request_closes_it(
    client, advocate, protection, protocol_officer, other_force
):
    from safeshare.advice import actions as advice_actions

    consent = consent_for(protection, advocate.organisation)
    request = _ask(consent, advocate, protection)
    url = reverse("worklists:subject-access-requests")
    client.force_login(protocol_officer)
    page = client.get(url).content.decode()
    assert protection.reference in page
    assert "Latin American Women" in page
    assert f"?request={request.public_id}" in page
    assert audited("sar_requests_list") == 1

    messages = reverse("notifications:messages")
    task = client.get(messages).content.decode()
    assert "Make the export for this request" in task
    assert f"?request={request.public_id}" in task

    # An export made for another reason does not close the request.
    actor = Actor.for_user(protocol_officer)
    other = advice_actions.do_export_subject_access(protection.person, actor)
    assert other.export.answers is None
    assert protection.reference in client.get(url).content.decode()
    assert "Make the export for this request" in client.get(messages).content.decode()

    # The export made for the request records it, and the request leaves the list.
    made = advice_actions.do_export_subject_access(protection.person, actor, answers=request)
    assert made.export.answers == request
    request.refresh_from_db()
    assert request.answer == made.export
    assert protection.reference not in client.get(url).content.decode()
    answered = client.get(url, {"show": "all"}).content.decode()
    assert "Answered" in answered
    assert f"by {actor.label}, {protocol_officer.organisation.name}" in answered
    task = client.get(messages).content.decode()
    assert "Make the export for this request" not in task
    assert f"by {actor.label}, {protocol_officer.organisation.name}" in task

    # The advocate sees that it was answered.
    client.force_login(advocate)
    person = client.get(reverse("advocates:person", kwargs={"consent_id": consent.public_id}))
    assert "The force made the copy for the person on" in person.content.decode()

    # Another force's protocol officers see none of it.
    client.force_login(make_user(Role.PROTOCOL_OFFICER, other_force))
    assert b"no-sar-requests" in client.get(url, {"show": "all"}).content


def test_a_request_is_answered_once_and_only_by_its_own_force_for_its_person(
    advocate, protection, protocol_officer, other_force, case, officer
):
    from safeshare.advice import actions as advice_actions
    from safeshare.advice.models import SubjectAccessExport

    consent = consent_for(protection, advocate.organisation)
    request = _ask(consent, advocate, protection)
    elsewhere = Actor.for_user(make_user(Role.PROTOCOL_OFFICER, other_force))
    with pytest.raises(ValidationError) as raised:
        advice_actions.do_export_subject_access(protection.person, elsewhere, answers=request)
    assert "answers" in raised.value.message_dict
    witness = PartyFactory.create(
        case=case, actor=Actor.for_user(officer), role="witness",
        given_names="Ana", family_name="Silva", date_of_birth="1990-05-04",
    )  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        advice_actions.do_export_subject_access(
            witness.person, Actor.for_user(protocol_officer), answers=request
        )
    assert "answers" in raised.value.message_dict
    assert not SubjectAccessExport.objects.exists()
    actor = Actor.for_user(protocol_officer)
    advice_actions.do_export_subject_access(protection.person, actor, answers=request)
    with pytest.raises(ValidationError, match="already answered"):
        advice_actions.do_export_subject_access(protection.person, actor, answers=request)
    assert SubjectAccessExport.objects.count() == 1


def test_the_officer_says_on_the_page_which_request_the_export_answers(
    client, advocate, protection, protocol_officer
):
    from safeshare.advice.models import SubjectAccessExport

    consent = consent_for(protection, advocate.organisation)
    first = _ask(consent, advocate, protection)
    second = _ask(consent, advocate, protection)
    url = reverse("advice:subject-access", kwargs={"person_id": protection.person.public_id})
    client.force_login(protocol_officer)
    page = client.get(url, {"request": str(first.public_id)}).content.decode()
    assert 'data-testid="sar-waiting"' in page
    assert f'value="{first.public_id}" checked' in page.replace("\n", "") or "checked" in page
    # Not saying which request: a clear error, nothing stored.
    missing = client.post(url, {"format": "json"})
    assert missing.status_code == 400
    assert "Choose the request this export answers" in missing.content.decode()
    unknown = client.post(url, {"format": "json", "answers": "not-a-request"})
    assert unknown.status_code == 400
    assert "no longer waiting" in unknown.content.decode()
    assert not SubjectAccessExport.objects.exists()
    # Another reason: every request stays waiting.
    assert client.post(url, {"format": "json", "answers": "none"}).status_code == 200
    assert SubjectAccessExport.objects.get().answers is None
    # For the first request: it is answered, the second still waits.
    assert client.post(url, {"format": "json", "answers": str(first.public_id)}).status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.answer.requested_by.endswith(protocol_officer.organisation.name)
    assert not SubjectAccessExport.objects.filter(answers=second).exists()
    # Answering it again from a stale page: refused, nothing stored.
    again = client.post(url, {"format": "json", "answers": str(first.public_id)})
    assert again.status_code == 400
    assert SubjectAccessExport.objects.count() == 2
    page = client.get(url).content.decode()
    assert 'data-testid="sar-answered"' in page
    assert str(first.public_id) not in page
    assert str(second.public_id) in page


def _signed_in_victim(client, protection, officer, language="en"):
    issued = _issue_letter(protection, officer)
    client.post(
        reverse("advice:victim-sign-in"),
        {"reference": protection.reference, "passcode": issued.passcode},
    )
    client.get(reverse("advice:victim-language", kwargs={"code": language}))


@pytest.mark.parametrize(
    ("language", "asked", "waiting", "done"),
    [
        ("en", "asked the police for a copy", "have not made your copy yet", "made your copy on"),
        (
            "pl",
            "poprosiła policję o kopię",
            "nie przygotowała jeszcze",
            "przygotowała Twoją kopię",
        ),
        ("cy", "i’r heddlu am gopi", "ddim wedi gwneud eich copi", "Gwnaeth yr heddlu eich copi"),
    ],
)
def test_the_person_sees_what_their_advocate_asked_for_and_what_happened(
    client, advocate, protection, officer, protocol_officer, language, asked, waiting, done
):
    from safeshare.advice import actions as advice_actions

    consent = consent_for(protection, advocate.organisation)
    _signed_in_victim(client, protection, officer, language)
    status = client.get(reverse("advice:victim-protection")).content.decode()
    assert 'data-testid="victim-advocate-asked"' not in status
    request = _ask(consent, advocate, protection)

    status = client.get(reverse("advice:victim-protection")).content.decode()
    assert 'data-testid="victim-advocate-asked"' in status
    page = client.get(reverse("advocates:victim-consents"))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="exit-this-page"' in body
    assert "Latin American Women" in body
    assert asked in body
    assert waiting in body
    assert done not in body

    advice_actions.do_export_subject_access(
        protection.person, Actor.for_user(protocol_officer), answers=request
    )
    body = client.get(reverse("advocates:victim-consents")).content.decode()
    assert done in body
    assert waiting not in body
    # After the person withdraws the consent, what was asked on their behalf still shows.
    notices.do_withdraw_advocate_consent(consent, withdrawn_by="The person themselves")
    body = client.get(reverse("advocates:victim-consents")).content.decode()
    assert asked in body
    assert done in body


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"notice_channel": "none"}, "Wybierz swoją organizację wspierającą"),
        ({"notice_channel": "email", "notice_address": "nope"}, "Wpisz adres e-mail tej osoby"),
        ({"notice_channel": "sms", "notice_address": "12"}, "Wpisz numer telefonu komórkowego"),
        ({"notice_channel": "none", "valid_until": "1/1/2020"}, "musi być dzisiejsza lub późn"),
        ({"notice_channel": "none", "valid_until": "99/99/2027"}, "Wpisz datę końca zgody"),
        ({}, "Powiedz, czy mamy wysyłać Twoje wiadomości"),
    ],
)
def test_the_person_is_told_what_is_wrong_in_their_language_and_nothing_is_stored(
    client, protection, officer, support, posted, message
):
    _signed_in_victim(client, protection, officer, "pl")
    if "organisation" not in posted and "Wybierz swoją" not in message:
        posted = {"organisation": support.pk, **posted}
    response = client.post(reverse("advocates:victim-consents"), posted)
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert message in body
    assert not AdvocateConsent.objects.exists()
