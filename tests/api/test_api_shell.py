"""The API shell: OpenAPI, bearer tokens, one error body for every failure, request ids."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safeshare.accounts import actions
from safeshare.kernel.roles import Role
from tests.accounts.factories import make_user, organisation_for

pytestmark = pytest.mark.django_db


def assert_error_body(response, status: int, code: str) -> dict:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields", "request_id"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["request_id"] == response["X-Request-Id"]
    return body["error"]


def test_openapi_document_is_served_without_a_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "SafeShare API"
    assert "/api/v1/whoami" in document["paths"]
    assert "BearerToken" in document["components"]["securitySchemes"]


def test_missing_token_gives_401_with_the_standard_body(client):
    error = assert_error_body(client.get("/api/v1/whoami"), 401, "unauthenticated")
    assert "Bearer" in error["message"]


@pytest.mark.parametrize(
    "header",
    ["Bearer nonsense", "Bearer ss_abc_def", "Basic dXNlcjpwYXNz", "Bearer ", "ss_x_y"],
)
def test_bad_token_gives_401_with_the_standard_body(client, header):
    response = client.get("/api/v1/whoami", headers={"Authorization": header})
    assert_error_body(response, 401, "unauthenticated")


def test_revoked_token_stops_working(client):
    force = organisation_for(Role.POLICE_OFFICER)
    issued = actions.do_create_api_token(
        organisation=force,
        role=Role.POLICE_OFFICER,
        name="x",
        person=make_user(Role.POLICE_OFFICER, force),
    )
    headers = {"Authorization": f"Bearer {issued.secret}"}
    assert client.get("/api/v1/whoami", headers=headers).status_code == 200
    actions.do_revoke_api_token(issued.token)
    assert_error_body(client.get("/api/v1/whoami", headers=headers), 401, "unauthenticated")


def test_token_create_command_prints_a_working_token_last(client):
    organisation = organisation_for(Role.IE_CASEWORKER, code="IE-TEST")
    out = io.StringIO()
    call_command(
        "token",
        "create",
        "--org",
        "ie-test",
        "--role",
        "ie_caseworker",
        "--name",
        "Casework system",
        "--system",
        "Casework system",
        "--owner",
        make_user(Role.IE_CASEWORKER, organisation).email,
        stdout=out,
        stderr=io.StringIO(),
    )
    secret = out.getvalue().strip().splitlines()[-1]
    response = client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json() == {
        "organisation_code": organisation.code,
        "organisation_name": organisation.name,
        "role": "ie_caseworker",
        "scopes": sorted(response.json()["scopes"]),
    }
    assert "clearances:write" in response.json()["scopes"]


def test_only_a_hash_of_the_token_is_stored():
    from safeshare.accounts.models import ApiToken

    force = organisation_for(Role.POLICE_OFFICER)
    issued = actions.do_create_api_token(
        organisation=force,
        role=Role.POLICE_OFFICER,
        name="x",
        person=make_user(Role.POLICE_OFFICER, force),
    )
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.secret not in {stored.secret_hash, stored.prefix, stored.name}
    assert len(stored.secret_hash) == 64


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "NOPE", "--role", "police_officer", "--name", "x"], "No organisation"),
        (["--org", "POL", "--role", "ie_caseworker", "--name", "x"], "cannot hold"),
        (["--org", "POL", "--role", "police_officer", "--name", "  "], "Enter a name"),
    ],
)
def test_token_create_refuses_bad_input_and_stores_nothing(args, message):
    from safeshare.accounts.models import ApiToken

    organisation_for(Role.POLICE_OFFICER, code="POL")
    with pytest.raises(CommandError, match=message):
        call_command("token", "create", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.exists()


def test_unknown_api_path_gives_the_standard_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404


def test_request_id_is_kept_when_well_formed_and_replaced_when_not(client):
    kept = client.get("/api/v1/whoami", headers={"X-Request-Id": "abc-123-def-456"})
    assert kept["X-Request-Id"] == "abc-123-def-456"
    replaced = client.get("/api/v1/whoami", headers={"X-Request-Id": "<script>"})
    assert replaced["X-Request-Id"] != "<script>"
    assert len(replaced["X-Request-Id"]) == 32


def test_orgs_list_json():
    import json

    organisation_for(Role.POLICE_OFFICER, code="WMP")
    out = io.StringIO()
    call_command("orgs", "list", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [row["code"] for row in rows] == ["WMP"]
