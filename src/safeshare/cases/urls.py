"""Police pages for cases, the people in them and case events."""

from django.urls import path

from safeshare.cases import import_views, merge_views, views

app_name = "cases"
urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.case_create, name="create"),
    path("cases/import/", import_views.import_feed, name="import"),
    path("cases/<uuid:case_id>/", views.case_detail, name="detail"),
    path("cases/<uuid:case_id>/people/new/", views.party_create, name="add-party"),
    path("cases/<uuid:case_id>/events/new/", views.event_create, name="record-event"),
    path(
        "cases/<uuid:case_id>/people/<int:party_id>/modern-slavery/",
        views.party_nrm,
        name="party-nrm",
    ),
    path(
        "people/<uuid:person_id>/duplicates/",
        merge_views.person_duplicates,
        name="person-duplicates",
    ),
]
