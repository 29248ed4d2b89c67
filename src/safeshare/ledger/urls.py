"""Routes of the published log (no token needed)."""

from django.urls import path

from safeshare.ledger import views

app_name = "ledger"

urlpatterns = [path("<path:path>", views.published, name="published")]
