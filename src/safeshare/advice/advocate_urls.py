"""Routes for advocates, and for recording a person's consent that an advocate may see them."""

from django.urls import path

from safeshare.advice import advocate_views

app_name = "advocates"
urlpatterns = [
    path("advocate/people/", advocate_views.people, name="people"),
    path("advocate/people/<uuid:consent_id>/", advocate_views.person, name="person"),
    path(
        "advocate/people/<uuid:consent_id>/advice-pack/<uuid:pack_id>/pdf/",
        advocate_views.pack_pdf,
        name="pack-pdf",
    ),
    path(
        "advocate/people/<uuid:consent_id>/letter/pdf/",
        advocate_views.letter_pdf,
        name="letter-pdf",
    ),
    path(
        "advocate/people/<uuid:consent_id>/subject-access/",
        advocate_views.subject_access,
        name="subject-access",
    ),
    path(
        "protections/<str:reference>/advocates/",
        advocate_views.protection_consents,
        name="protection-consents",
    ),
    path(
        "protections/<str:reference>/advocates/<uuid:consent_id>/withdraw/",
        advocate_views.withdraw,
        name="withdraw",
    ),
    path("my-protection/advocates/", advocate_views.victim_consents, name="victim-consents"),
]
