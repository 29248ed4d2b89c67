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

from safeshare.cases.api import router as cases_router  # noqa: E402
from safeshare.protocol.api import router as protocol_router  # noqa: E402
from safeshare.referrals.api import router as referrals_router  # noqa: E402

api.add_router("/", cases_router)
api.add_router("/", referrals_router)
api.add_router("/", protocol_router)

from safeshare.oversight.api import router as oversight_router  # noqa: E402

api.add_router("/", oversight_router)

from safeshare.ledger.api import router as ledger_router  # noqa: E402

api.add_router("/", ledger_router)

from safeshare.notifications.api import router as notifications_router  # noqa: E402

api.add_router("/", notifications_router)
