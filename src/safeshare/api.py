"""The SafeShare API at /api/v1/: mounts every app's router on the instance ``api_kit`` builds.

Nothing else lives here; the helpers every router uses are in ``safeshare.api_kit``.
"""

from safeshare.accounts.api import router as accounts_router
from safeshare.api_kit import api
from safeshare.cases.api import router as cases_router
from safeshare.ledger.api import router as ledger_router
from safeshare.oversight.api import router as oversight_router
from safeshare.protocol.api import router as protocol_router
from safeshare.protocol.notice_api import router as notifications_router
from safeshare.referrals.api import router as referrals_router

for router in (
    accounts_router,
    cases_router,
    referrals_router,
    protocol_router,
    oversight_router,
    ledger_router,
    notifications_router,
):
    api.add_router("/", router)

__all__ = ["api"]
