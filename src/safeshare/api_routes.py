"""Adds every app's router to the API. Each issue's app registers here."""

from ninja import Router, Schema

from safeshare.api import api


class WhoAmI(Schema):
    organisation_code: str
    organisation_name: str
    role: str
    scopes: list[str]


meta_router = Router(tags=["API client"])


@meta_router.get("/whoami", response=WhoAmI, summary="Who the token acts for")
def whoami(request):
    client = request.auth
    return WhoAmI(
        organisation_code=client.organisation.code,
        organisation_name=client.organisation.name,
        role=client.role.value,
        scopes=sorted(scope.value for scope in client.scopes),
    )


api.add_router("/", meta_router)
