"""Pages for notices to people and messages for staff (the ``notifications`` namespace).

They sit with the protocol app because the worklist reads protections and their earliest close;
the notices themselves are the notifications app's."""

from django.urls import path

from safeshare.protocol import notice_views as views

app_name = "notifications"
urlpatterns = [
    path("notices/", views.notice_list, name="list"),
    path("notices/dealt-with/", views.notice_resolve, name="resolve"),
    path("messages/", views.staff_notices, name="messages"),
    path(
        "protections/<str:reference>/notices/how-to-reach/",
        views.reach_settings,
        name="reach",
    ),
]
