"""API tokens: bound to a named person or a named system and its owner, shown as the actor,
with an expiry date, and rotated without downtime."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from safeshare.accounts import actions
from safeshare.accounts.models import ApiToken, ApiTokenBinding
from safeshare.cases.models import CaseEvent
from safeshare.kernel.roles import Role
from tests import api_client as api
from tests.accounts.factories import make_user, organisation_for

pytestmark = pytest.mark.django_db


def whoami(secret: str) -> int:
    return (
        Client().get("/api/v1/whoami", headers={"Authorization": f"Bearer {secret}"}).status_code
    )


@pytest.fixture
def force():
    return organisation_for(Role.POLICE_OFFICER, "WMP")


def test_a_token_must_name_a_person_or_an_owned_system(force):
    officer = make_user(Role.POLICE_OFFICER, force)
    with pytest.raises(ValidationError):
        actions.do_create_api_token(organisation=force, role=Role.POLICE_OFFICER, name="bare")
    with pytest.raises(ValidationError):  # a system without an owner
        actions.do_create_api_token(
            organisation=force, role=Role.POLICE_OFFICER, name="x", system_name="Niche RMS"
        )
    with pytest.raises(ValidationError):  # a person of another organisation
        actions.do_create_api_token(
            organisation=force,
            role=Role.POLICE_OFFICER,
            name="y",
            person=make_user(Role.POLICE_OFFICER, organisation_for(Role.POLICE_OFFICER, "GMP")),
        )
    with pytest.raises(ValidationError):  # a person with another role
        actions.do_create_api_token(
            organisation=force,
            role=Role.POLICE_OFFICER,
            name="z",
            person=make_user(Role.PROTOCOL_OFFICER, force),
        )
    with pytest.raises(ValidationError):  # both at once
        actions.do_create_api_token(
            organisation=force,
            role=Role.POLICE_OFFICER,
            name="w",
            person=officer,
            system_name="Niche RMS",
            system_owner=officer,
        )
    assert not ApiToken.objects.exists()


def test_the_person_behind_a_token_is_recorded_as_the_actor():
    police = api.police()
    case = api.new_case(police)
    api.event(police, case, "investigation_opened")
    recorded = CaseEvent.objects.get().recorded_by
    assert str(police.person) in recorded
    assert "through API client" in recorded


def test_a_system_token_is_recorded_with_its_owner(force):
    owner = make_user(Role.POLICE_OFFICER, force)
    issued = actions.do_create_api_token(
        organisation=force,
        role=Role.POLICE_OFFICER,
        name="records system",
        system_name="Niche RMS",
        system_owner=owner,
    )
    headers = {"Authorization": f"Bearer {issued.secret}"}
    client = Client()
    created = client.post(
        "/api/v1/cases",
        {"crime_reference": "20/77/26", "offence_category": "other"},
        content_type="application/json",
        headers=headers,
    ).json()
    client.post(
        f"/api/v1/cases/{created['id']}/events",
        {"event": "investigation_opened"},
        content_type="application/json",
        headers=headers,
    )
    recorded = CaseEvent.objects.get().recorded_by
    assert "Niche RMS" in recorded
    assert str(owner) in recorded


def test_a_token_stops_working_when_it_expires(force):
    issued = actions.do_create_api_token(
        organisation=force,
        role=Role.POLICE_OFFICER,
        name="short",
        person=make_user(Role.POLICE_OFFICER, force),
        expires_at=timezone.now() + timedelta(days=1),
    )
    assert whoami(issued.secret) == 200
    ApiTokenBinding.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert whoami(issued.secret) == 401
    with pytest.raises(ValidationError):
        actions.do_create_api_token(
            organisation=force,
            role=Role.POLICE_OFFICER,
            name="already over",
            person=make_user(Role.POLICE_OFFICER, force),
            expires_at=timezone.now() - timedelta(days=1),
        )


def test_new_tokens_expire_after_the_configured_days(force, settings):
    settings.SAFESHARE_API_TOKEN_DAYS = 30
    issued = actions.do_create_api_token(
        organisation=force,
        role=Role.POLICE_OFFICER,
        name="default expiry",
        person=make_user(Role.POLICE_OFFICER, force),
    )
    left = actions.token_expires_at(issued.token) - timezone.now()
    assert timedelta(days=29) < left <= timedelta(days=30)


def test_a_token_made_before_binding_expires_on_the_default_schedule(force, settings):
    issued = api.police()
    token = ApiToken.objects.get(organisation=issued.organisation)
    ApiTokenBinding.objects.filter(token=token).delete()
    assert whoami(issued.secret) == 200
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - timedelta(days=settings.SAFESHARE_API_TOKEN_DAYS + 1)
    )
    assert whoami(issued.secret) == 401


def test_rotation_overlaps_then_the_old_token_stops(force):
    old = actions.do_create_api_token(
        organisation=force,
        role=Role.POLICE_OFFICER,
        name="case feed",
        person=make_user(Role.POLICE_OFFICER, force),
    )
    new = actions.do_rotate_api_token(old.token, overlap=timedelta(hours=2))
    assert whoami(old.secret) == 200  # both work while the client switches
    assert whoami(new.secret) == 200
    assert new.token.binding.person == old.token.binding.person
    assert new.token.binding.replaces == old.token
    assert sorted(new.token.scopes) == sorted(old.token.scopes)
    left = ApiTokenBinding.objects.get(token=old.token).expires_at - timezone.now()
    assert timedelta(hours=1) < left <= timedelta(hours=2)
    ApiTokenBinding.objects.filter(token=old.token).update(expires_at=timezone.now())
    assert whoami(old.secret) == 401
    assert whoami(new.secret) == 200


def test_the_token_command_creates_rotates_and_lists(force):
    owner = make_user(Role.POLICE_OFFICER, force)
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "token",
        "create",
        "--org",
        "WMP",
        "--role",
        "police_officer",
        "--name",
        "RMS feed",
        "--system",
        "Niche RMS",
        "--owner",
        owner.email,
        "--days",
        "10",
        stdout=out,
        stderr=err,
    )
    secret = out.getvalue().strip().splitlines()[-1]
    assert whoami(secret) == 200
    prefix = secret.split("_")[1]
    out = io.StringIO()
    call_command("token", "rotate", prefix, "--overlap-hours", "1", stdout=out, stderr=err)
    successor = out.getvalue().strip().splitlines()[-1]
    assert whoami(successor) == 200
    assert whoami(secret) == 200
    out = io.StringIO()
    call_command("token", "list", "--org", "WMP", stdout=out)
    assert "Niche RMS" in out.getvalue()
    assert "active until" in out.getvalue()
    with pytest.raises(CommandError):
        call_command(
            "token",
            "create",
            "--org",
            "WMP",
            "--role",
            "police_officer",
            "--name",
            "nobody",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
