"""Pages for protections, clearances, reviews of possible matches and overrides."""

from django.urls import path

from safeshare.protocol import case_event_views, outcome_views, views

app_name = "protocol"
urlpatterns = [
    path("protections/<str:reference>/", views.protection_detail, name="protection"),
    path("protections/<str:reference>/letter/", views.protection_letter, name="protection-letter"),
    path(
        "protections/<str:reference>/regularisation/",
        views.protection_regularisation,
        name="protection-regularisation",
    ),
    path("protections/<str:reference>/nrm-decision/", views.protection_nrm, name="protection-nrm"),
    path("protections/<str:reference>/close/", views.protection_close, name="protection-close"),
    path(
        "protections/<str:reference>/notice-given/",
        outcome_views.protection_notice_given,
        name="protection-notice-given",
    ),
    path("clearances/", views.clearance_list, name="clearance-list"),
    path("clearances/new/", views.clearance_create, name="clearance-new"),
    path("clearances/<uuid:clearance_id>/", views.clearance_detail, name="clearance"),
    path("clearances/<uuid:clearance_id>/override/", views.override_create, name="override-new"),
    path(
        "clearances/<uuid:clearance_id>/override/withdraw/",
        views.override_withdraw,
        name="override-withdraw",
    ),
    path(
        "clearances/<uuid:clearance_id>/outcome/",
        outcome_views.clearance_outcome,
        name="clearance-outcome",
    ),
    path("reviews/", views.review_list, name="review-list"),
    path("reviews/<str:reference>/", views.review_detail, name="review"),
    path("overrides/", views.override_list, name="override-list"),
    path("overrides/<uuid:override_id>/", views.override_detail, name="override"),
]

# Check answers and confirmation for a case event (ADR 0044): what it does to protections.
urlpatterns += [
    path(
        "cases/<uuid:case_id>/events/check/",
        case_event_views.record_case_event,
        name="case-event",
    ),
]
