"""The API client's own endpoint: which organisation, role and scopes a token acts with."""

from ninja import Router, Schema

router = Router(tags=["API client"])


class WhoAmI(Schema):
    organisation_code: str
    organisation_name: str
    role: str
    scopes: list[str]


@router.get("/whoami", response=WhoAmI, summary="Who the token acts for")
def whoami(request):
    client = request.auth
    return WhoAmI(
        organisation_code=client.organisation.code,
        organisation_name=client.organisation.name,
        role=client.role.value,
        scopes=sorted(scope.value for scope in client.scopes),
    )
