"""Police pages for referring a person to Immigration Enforcement."""

from django.urls import path

from safeshare.referrals import agreement_views, views

app_name = "referrals"
urlpatterns = [
    path(
        "cases/<uuid:case_id>/people/<int:party_id>/refer/",
        views.referral_start,
        name="start",
    ),
    path(
        "cases/<uuid:case_id>/people/<int:party_id>/refer/check/",
        views.referral_check,
        name="check",
    ),
    path(
        "cases/<uuid:case_id>/people/<int:party_id>/consent/",
        views.consent_page,
        name="consent",
    ),
    path("referrals/refused/", views.refused_list, name="refused"),
    # An NHS body's, local authority's or NRM first responder's own refused referrals (R5).
    path("authority-referrals/refused/", views.authority_refused_list, name="authority-refused"),
    path(
        "administration/data-sharing-agreements/",
        agreement_views.agreements_page,
        name="agreements",
    ),
    path("referrals/<uuid:referral_id>/", views.referral_detail, name="detail"),
]
