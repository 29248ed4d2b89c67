from django.urls import path

from safeshare.accounts import admin_views

app_name = "administration"
urlpatterns = [
    path("administration/organisations/", admin_views.organisations, name="organisations"),
    path("administration/people/", admin_views.people, name="people"),
    path("administration/api-tokens/", admin_views.tokens, name="tokens"),
    path("administration/webhooks/", admin_views.webhooks_page, name="webhooks"),
    path("invitation/", admin_views.accept_invitation, name="accept-invitation"),
]
