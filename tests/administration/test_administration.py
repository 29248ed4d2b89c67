"""Administration's rules: who may change what, precise refusals, leavers and the ledger."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeshare.accounts import administration
from safeshare.accounts.actors import Actor
from safeshare.accounts.models import ApiToken, Invitation, Organisation, User
from safeshare.kernel.roles import OrganisationKind, Role
from safeshare.ledger.models import LedgerEntry
from tests.accounts.factories import DEFAULT_PASSWORD, make_user, organisation_for

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def whoami(secret: str) -> int:
    return Client().get("/api/v1/whoami", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code


def admin_actions() -> list[str]:
    return [
        draft["payload"]["admin_action"]
        for draft in LedgerEntry.objects.filter(kind="account_changed")
        .order_by("id")
        .values_list("draft", flat=True)
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "police_force"], "official_code: Enter the force's official code"),
        (
            ["--kind", "ie_unit", "--official-code", "9"],
            "Only police forces have an official code",
        ),
        (["--kind", "nhs_body", "--code", "bad code!"], "code"),
    ],
)
def test_orgs_create_refuses_bad_input_and_names_the_field(args, message):
    base = {"--code": "X1", "--name": "Somewhere"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    with pytest.raises(CommandError, match=message):
        run("orgs", "create", *[part for pair in base.items() for part in pair])
    assert not Organisation.objects.exists()
    assert admin_actions() == []


def test_a_duplicate_code_is_refused():
    run("orgs", "create", "--code", "NHS1", "--name", "An NHS trust", "--kind", "nhs_body")
    with pytest.raises(CommandError, match="code: An organisation already has the code NHS1"):
        run("orgs", "create", "--code", "nhs1", "--name", "Another", "--kind", "nhs_body")


def test_every_kind_can_be_created_with_the_roles_it_may_hold():
    for number, kind in enumerate(OrganisationKind):
        extra = ["--official-code", "20"] if kind is OrganisationKind.POLICE_FORCE else []
        run("orgs", "create", "--code", f"K{number}", "--name", kind.label, "--kind", kind, *extra)
    organisations = {o.kind: o for o in Organisation.objects.all()}
    assert set(organisations) == {k.value for k in OrganisationKind}
    with pytest.raises(CommandError, match="role: A local authority cannot hold the role"):
        run(
            "users",
            "invite",
            "--org",
            organisations["local_authority"].code,
            "--role",
            "ie_caseworker",
            "--email",
            "x@la.example",
        )


def test_orgs_change_and_deactivate_disable_its_people_and_revoke_tokens():
    officer = make_user(Role.POLICE_OFFICER)
    organisation = officer.organisation
    secret = administration.create_token(
        administration.operator_actor(organisation),
        organisation=organisation,
        role="police_officer",
        name="RMS",
        person=officer,
    ).secret
    run("orgs", "change", organisation.code, "--name", "Renamed Police", "--contact-point", "Desk")
    organisation.refresh_from_db()
    assert (organisation.name, organisation.contact_point) == ("Renamed Police", "Desk")
    out = run("orgs", "deactivate", organisation.code)
    assert "1 people can no longer sign in" in out
    officer.refresh_from_db()
    assert not officer.is_active
    assert not ApiToken.objects.filter(organisation=organisation, revoked_at__isnull=True).exists()
    assert whoami(secret) == 401
    assert admin_actions() == [
        "token_created",
        "organisation_renamed",
        "contact_point_changed",
        "organisation_deactivated",
    ]
    with pytest.raises(CommandError, match="organisation: This organisation has been deactivated"):
        run(
            "users",
            "invite",
            "--org",
            organisation.code,
            "--role",
            "police_officer",
            "--email",
            "new@x.example",
        )


def test_a_leaver_cannot_sign_in_and_their_tokens_stop_working(client):
    officer = make_user(Role.POLICE_OFFICER)
    admin = make_user(Role.ADMINISTRATOR, organisation=officer.organisation)
    issued = administration.create_token(
        Actor.for_user(admin),
        organisation=officer.organisation,
        role="police_officer",
        name="Records system",
        person=officer,
    )
    assert whoami(issued.secret) == 200
    out = run("users", "disable", officer.email.upper())
    assert "1 of their tokens were revoked" in out
    assert whoami(issued.secret) == 401
    response = client.post(
        reverse("accounts:sign-in"), {"email": officer.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 400
    with pytest.raises(CommandError, match="already disabled"):
        run("users", "disable", officer.email)
    run("users", "enable", officer.email)
    officer.refresh_from_db()
    assert officer.is_active
    assert admin_actions()[-2:] == ["user_disabled", "user_enabled"]


def test_a_signed_in_leaver_is_signed_out_at_their_next_request():
    officer = make_user(Role.POLICE_OFFICER)
    client = Client()
    client.force_login(officer)
    assert client.get(reverse("cases:list")).status_code == 200
    run("users", "disable", officer.email)
    assert client.get(reverse("cases:list")).status_code == 302


def test_an_invitation_expires_and_works_once(settings):
    organisation = organisation_for(Role.POLICE_OFFICER)
    issued = administration.invite_user(
        None, organisation=organisation, role="police_officer", email="a@b.example"
    )
    code = issued.link.split("code=")[1]
    Invitation.objects.filter(pk=issued.invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(ValidationError, match="expired or has already been used"):
        administration.accept_invitation(code, password="a long and unusual passphrase")
    assert (
        Client().get(reverse("administration:accept-invitation") + f"?code={code}").status_code
        == 404
    )
    again = administration.invite_user(
        None, organisation=organisation, role="police_officer", email="a@b.example"
    )
    code = again.link.split("code=")[1]
    with pytest.raises(ValidationError, match="password"):
        administration.accept_invitation(code, password="short")
    user = administration.accept_invitation(code, password="a long and unusual passphrase")
    assert user.role == "police_officer"
    with pytest.raises(ValidationError, match="expired or has already been used"):
        administration.accept_invitation(code, password="a long and unusual passphrase")
    with pytest.raises(ValidationError, match="already signs in"):
        administration.invite_user(
            None, organisation=organisation, role="police_officer", email="A@b.example"
        )


def test_the_accept_page_names_each_wrong_field():
    organisation = organisation_for(Role.POLICE_OFFICER)
    issued = administration.invite_user(
        None, organisation=organisation, role="police_officer", email="c@d.example"
    )
    code = issued.link.split("code=")[1]
    response = Client().post(
        reverse("administration:accept-invitation"),
        {"code": code, "password": "a long and unusual passphrase", "password_again": "other"},
    )
    assert response.status_code == 400
    assert "The passwords do not match" in response.content.decode()
    assert not User.objects.filter(email="c@d.example").exists()


def test_an_administrator_manages_only_their_own_organisation():
    admin = make_user(Role.ADMINISTRATOR)
    other_officer = make_user(Role.POLICE_OFFICER)
    actor = Actor.for_user(admin)
    with pytest.raises(PermissionDenied):
        administration.disable_user(actor, other_officer)
    with pytest.raises(PermissionDenied):
        administration.invite_user(
            actor,
            organisation=other_officer.organisation,
            role="police_officer",
            email="z@z.example",
        )
    with pytest.raises(PermissionDenied):
        administration.create_organisation(actor, code="NEW", name="New", kind="nhs_body")
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("administration:people"),
        {"action": "disable", "user": other_officer.pk, "org": other_officer.organisation.code},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("administration:people"),
        {"action": "disable", "user": other_officer.pk},
    )
    assert response.status_code == 404
    other_officer.refresh_from_db()
    assert other_officer.is_active


def test_the_operators_administrators_manage_every_organisation(settings):
    admin = make_user(Role.ADMINISTRATOR)
    settings.SAFESHARE_OPERATOR_ORG = admin.organisation.code
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("administration:organisations"),
        {
            "action": "create",
            "code": "LA1",
            "name": "A council",
            "kind": "local_authority",
            "jurisdiction": "england_wales",
        },
    )
    assert response.status_code == 302
    assert Organisation.objects.get(code="LA1").kind == "local_authority"
    response = client.post(
        reverse("administration:organisations"),
        {
            "action": "create",
            "code": "PF",
            "name": "A force",
            "kind": "police_force",
            "jurisdiction": "england_wales",
        },
    )
    assert response.status_code == 400
    assert "Enter the force&#x27;s official code" in response.content.decode()


def test_role_changes_revoke_tokens_and_cannot_break_the_kind(client):
    admin = make_user(Role.ADMINISTRATOR)
    officer = make_user(Role.POLICE_OFFICER, organisation=admin.organisation)
    client.force_login(admin)
    response = client.post(
        reverse("administration:people"),
        {"action": "role", "user": officer.pk, "role": "ie_caseworker"},
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.role == "police_officer"
    response = client.post(
        reverse("administration:people"),
        {"action": "role", "user": officer.pk, "role": "protocol_officer"},
    )
    officer.refresh_from_db()
    assert officer.role == "protocol_officer"
    assert admin_actions() == ["role_changed"]


def test_tokens_page_creates_shows_once_rotates_and_revokes(client):
    admin = make_user(Role.ADMINISTRATOR)
    client.force_login(admin)
    url = reverse("administration:tokens")
    bad = client.post(url, {"action": "create", "name": "", "role": "police_officer"})
    assert bad.status_code == 400
    assert "Enter what the token is for" in bad.content.decode()
    past = client.post(
        url,
        {
            "action": "create",
            "name": "RMS",
            "role": "police_officer",
            "system_name": "Niche",
            "expires_on": "01/01/2020",
        },
    )
    assert "The expiry date must be in the future" in past.content.decode()
    made = client.post(
        url,
        {
            "action": "create",
            "name": "RMS",
            "role": "police_officer",
            "system_name": "Niche",
            "scopes": ["cases:read", "cases:write"],
        },
    )
    assert made.status_code == 200
    token = ApiToken.objects.get(name="RMS")
    assert token.scopes == ["cases:read", "cases:write"]
    assert "ss_" + token.prefix in made.content.decode()
    listing = client.get(url).content.decode()
    assert "RMS" in listing
    assert "ss_" + token.prefix + "_" not in listing
    rotated = client.post(url, {"action": "rotate", "token": token.prefix})
    assert rotated.status_code == 200
    assert client.post(url, {"action": "revoke", "token": token.prefix}).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert admin_actions() == ["token_created", "token_rotated", "token_revoked"]


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMINISTRATOR])
def test_other_roles_cannot_post_to_administration(client, role):
    user = make_user(role)
    victim = user
    client.force_login(user)
    for name in ("administration:people", "administration:tokens", "administration:organisations"):
        response = client.post(reverse(name), {"action": "disable", "user": victim.pk})
        assert response.status_code == 403
    victim.refresh_from_db()
    assert victim.is_active
