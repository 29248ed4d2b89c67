"""Routes for the whole service."""

from django.urls import include, path

from safeshare.api import api

urlpatterns = [
    path("", include("safeshare.operations.urls")),
    path("", include("safeshare.accounts.urls")),
    path("", include("safeshare.accounts.admin_urls")),
    path("api/v1/", api.urls),
    path("ledger/public/", include("safeshare.ledger.urls")),
    path("", include("safeshare.cases.urls")),
    path("", include("safeshare.referrals.urls")),
    path("", include("safeshare.protocol.urls")),
    path("", include("safeshare.register.urls")),
    path("oversight/", include("safeshare.oversight.urls")),
    path("", include("safeshare.advice.urls")),
    path("", include("safeshare.advice.advocate_urls")),
    path("", include("safeshare.advice.worklist_urls")),
    path("", include("safeshare.protocol.notice_urls")),
    path("", include("safeshare.web.urls")),
]

handler400 = "safeshare.web.views.bad_request"
handler403 = "safeshare.web.views.permission_denied"
handler404 = "safeshare.web.views.page_not_found"
handler500 = "safeshare.web.views.server_error"
