"""Routes for letters, advice packs and subject access (staff), and the victim's own view."""

from django.urls import path

from safeshare.advice import receipt_check, victim_views, views

app_name = "advice"
urlpatterns = [
    # Police and protocol officers.
    path("advice/", views.start, name="start"),
    path("protections/<str:reference>/advice/", views.overview, name="protection"),
    path("protections/<str:reference>/safe-contact/", views.contact, name="contact"),
    path("protections/<str:reference>/letter/issue/", views.issue_letter, name="issue-letter"),
    path("protections/<str:reference>/advice-pack/", views.issue_pack, name="issue-pack"),
    path(
        "protections/<str:reference>/advice-pack/<uuid:pack_id>/",
        views.pack_detail,
        name="pack",
    ),
    path(
        "protections/<str:reference>/advice-pack/<uuid:pack_id>/pdf/",
        views.pack_pdf,
        name="pack-pdf",
    ),
    path("people/<uuid:person_id>/subject-access/", views.subject_access, name="subject-access"),
    path(
        "people/<uuid:person_id>/subject-access/exemptions/",
        views.subject_access_exemptions,
        name="subject-access-exemptions",
    ),
    # Anyone: check a receipt from the victim's "What has been shared" page.
    path("check-a-receipt/", receipt_check.check_a_receipt, name="check-receipt"),
    # The victim, signed in with the reference and passcode on their letter.
    path("my-protection/", victim_views.sign_in, name="victim-sign-in"),
    path("my-protection/protection/", victim_views.protection_status, name="victim-protection"),
    path("my-protection/shared/", victim_views.shared, name="victim-shared"),
    path(
        "my-protection/shared/<int:entry_id>/receipt/",
        victim_views.receipt,
        name="victim-receipt",
    ),
    path("my-protection/advice/", victim_views.advice, name="victim-advice"),
    path(
        "my-protection/advice/<uuid:pack_id>/pdf/",
        victim_views.advice_pdf,
        name="victim-advice-pdf",
    ),
    path("my-protection/sign-out/", victim_views.sign_out, name="victim-sign-out"),
    path("my-protection/leave/", victim_views.leave, name="victim-leave"),
    path(
        "my-protection/language/<str:code>/",
        victim_views.choose_language,
        name="victim-language",
    ),
]
