"""Pages for notices to people and messages for staff."""

from django.urls import path

from safeshare.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notices/", views.notice_list, name="list"),
    path("notices/dealt-with/", views.notice_resolve, name="resolve"),
    path("messages/", views.staff_notices, name="messages"),
]
