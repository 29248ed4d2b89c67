"""Routes for staff worklists and search (the ``worklists`` namespace)."""

from django.urls import path

from safeshare.advice import ie_worklists, worklists

app_name = "worklists"
urlpatterns = [
    path("worklists/holds/", worklists.holds, name="holds"),
    path("worklists/transitions/", worklists.transitions, name="transitions"),
    path("worklists/exemptions/", worklists.exemptions, name="exemptions"),
    path(
        "worklists/subject-access-requests/",
        worklists.subject_access_requests,
        name="subject-access-requests",
    ),
    path("worklists/cases/", worklists.cases, name="cases"),
    path("worklists/clearances/", ie_worklists.clearances, name="clearances"),
    path("search/", worklists.search, name="search"),
]
