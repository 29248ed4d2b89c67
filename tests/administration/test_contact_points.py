"""Contact points as structured data (ADR 0053): set by administrators, checked field by field,
and shown with telephone and hours on IE's answers, letters and the victim's pages."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from safeshare.accounts.models import Organisation
from safeshare.advice.documents import render_html
from safeshare.advice.pack import build_letter_content
from safeshare.kernel.contact import ContactPoint, contact_problems
from safeshare.kernel.roles import Role
from safeshare.ledger.models import LedgerEntry
from safeshare.protocol.models import Protection
from tests.accounts.factories import make_user, organisation_for
from tests.advice_web.support import issue_letter, officer, protected_victim
from tests.api_client import add_party, clearance, ie, new_case, ok, police, refer

pytestmark = pytest.mark.django_db

GOOD = {
    "team": "West Midlands Police protocol desk",
    "telephone": "01632 960 001",
    "email": "protocol.desk@wmp.example.police.uk",
    "hours": "Monday to Friday, 8am to 6pm",
    "out_of_hours": "Call 101 and ask for the duty inspector",
}
PAGE = "/administration/organisations/"


def administrator(code: str = "WMP"):
    return make_user(Role.ADMINISTRATOR, organisation_for(Role.POLICE_OFFICER, code))


def post_contact(user, **changes):
    client = Client()
    client.force_login(user)
    return client.post(PAGE, {"action": "contact", **GOOD, **changes})


def set_contact(code: str = "WMP") -> None:
    Organisation.objects.filter(code=code).update(
        **{f"contact_{field}": value for field, value in GOOD.items()}
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("telephone", "ring the desk", "Enter a telephone number, like 01632 960 001"),
        ("telephone", "12", "Enter a telephone number"),
        ("email", "protocol.desk", "Enter an email address in the correct format"),
        ("team", "x" * 201, "Team name must be 200 characters or fewer"),
        ("team", "", "Enter the team name"),
        ("hours", "x" * 201, "Opening hours must be 200 characters or fewer"),
        ("out_of_hours", "x" * 301, "Out of hours must be 300 characters or fewer"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(field, value, message):
    user = administrator()
    before = Organisation.objects.get(pk=user.organisation.pk).contact
    entries = LedgerEntry.objects.count()
    response = post_contact(user, **{field: value})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'href="#id_{field}"' in page  # the error summary links to the field
    assert Organisation.objects.get(pk=user.organisation.pk).contact == before
    assert LedgerEntry.objects.count() == entries


def test_a_good_contact_point_is_saved_and_recorded():
    user = administrator()
    response = post_contact(user, telephone="+44 (0)121 626 5000")
    assert response.status_code == 302
    saved = Organisation.objects.get(pk=user.organisation.pk)
    assert saved.contact == ContactPoint(**{**GOOD, "telephone": "+44 (0)121 626 5000"})
    assert saved.contact_point == (
        "West Midlands Police protocol desk, +44 (0)121 626 5000 (Monday to Friday, 8am to 6pm)"
    )
    assert LedgerEntry.objects.filter(kind="account_changed").exists()


def test_only_administrators_set_it():
    officer_user = make_user(Role.POLICE_OFFICER, organisation_for(Role.POLICE_OFFICER, "WMP"))
    response = post_contact(officer_user)
    assert response.status_code in (302, 403, 404)
    assert Organisation.objects.get(code="WMP").contact_telephone == ""


def test_international_numbers_are_telephone_numbers():
    for number in ("+44 808 157 0192", "0121 626 5000", "+1 (202) 555-0100", "101"):
        assert "telephone" not in contact_problems(ContactPoint(team="Desk", telephone=number))


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_command_takes_each_field_and_refuses_a_bad_one():
    run(
        "orgs",
        "create",
        "--code",
        "XP",
        "--name",
        "Example Police",
        "--kind",
        "police_force",
        "--official-code",
        "99",
        "--contact-team",
        GOOD["team"],
        "--contact-telephone",
        GOOD["telephone"],
        "--contact-hours",
        GOOD["hours"],
    )
    run(
        "orgs",
        "change",
        "XP",
        "--contact-out-of-hours",
        GOOD["out_of_hours"],
        "--contact-email",
        GOOD["email"],
    )
    assert Organisation.objects.get(code="XP").contact == ContactPoint(**GOOD)
    with pytest.raises(CommandError, match="contact_telephone: Enter a telephone number"):
        run("orgs", "change", "XP", "--contact-telephone", "ask at the front desk")
    assert Organisation.objects.get(code="XP").contact_telephone == GOOD["telephone"]


def blocked_answer():
    force = police()
    caseworker = ie()
    set_contact()
    case = new_case(force)
    ok(refer(force, case, add_party(force, case)), 201)
    return caseworker, ok(clearance(caseworker), 201)


def test_ie_answer_gives_telephone_and_hours_in_the_api_and_on_the_page():
    caseworker, body = blocked_answer()
    assert body["decision"] == "blocked"
    assert body["contact_point"]  # the one-line string stays
    assert body["contact"] == GOOD
    assert ok(caseworker.get(f"/clearances/{body['id']}"))["contact"] == GOOD
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert {"team", "telephone", "hours", "out_of_hours"} <= set(
        schema["ContactOut"]["properties"]
    )
    page = Client()
    page.force_login(caseworker.person)
    html = page.get(f"/clearances/{body['id']}/").content.decode()
    for value in (GOOD["telephone"], GOOD["hours"], GOOD["out_of_hours"]):
        assert value in html, html[html.find("Immigration Enforcement contacts") :][:1500]


def test_the_letter_and_the_victims_page_give_telephone_and_hours():
    force = officer()
    set_contact()
    protection = protected_victim(force)
    issued = issue_letter(protection, force)
    protection = Protection.objects.get(pk=protection.pk)  # as a page reads it
    letter = build_letter_content(
        protection,
        passcode="ABCD2345",
        view_url="http://t/",
        issued_on=protection.opened_at.date(),
    )
    html = render_html(
        "advice/pdf/letter.html",
        {"letter": letter, "language": letter.language, "english_context": {"letter": letter}},
        language="en",
    )
    for value in (GOOD["team"], GOOD["telephone"], GOOD["hours"], GOOD["out_of_hours"]):
        assert value in html, html[html.find("Immigration Enforcement contacts") :][:1500]
    victim = Client()
    response = victim.post(
        "/my-protection/", {"reference": protection.reference, "passcode": issued.passcode}
    )
    assert response.status_code == 302
    page = victim.get(reverse("advice:victim-protection")).content.decode()
    assert 'data-testid="contact-telephone">01632 960 001<' in page
    assert GOOD["hours"] in page


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_the_old_one_line_contact_point_into_the_team_name():
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0008_webhook_secret_rotation")])
    old = executor.loader.project_state([("accounts", "0008_webhook_secret_rotation")]).apps
    line = "West Midlands Police protocol desk, 0121 000 0000"
    old.get_model("accounts", "Organisation").objects.create(
        code="OLD", name="Old Police", kind="police_force", official_code="20", contact_point=line
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    carried = Organisation.objects.get(code="OLD")
    assert carried.contact_team == line
    assert carried.contact_point == line


@given(
    team=st.text(min_size=1, max_size=200),
    telephone=st.from_regex(r"\+?[0-9 ]{3,30}", fullmatch=True),
    hours=st.text(max_size=200),
)
def test_the_one_line_fits_what_a_protection_records_and_keeps_the_telephone(
    team, telephone, hours
):
    line = ContactPoint(team=team, telephone=telephone, hours=hours).one_line()
    assert len(line) <= 200
    assert telephone in line
