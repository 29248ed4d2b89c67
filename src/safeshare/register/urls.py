"""Pages for IE's sweeps of a caseload against the register."""

from django.urls import path

from safeshare.register import views

app_name = "matching"
urlpatterns = [
    path("sweeps/", views.sweep_list, name="sweep-list"),
    path("sweeps/new/", views.sweep_new, name="sweep-new"),
    path("sweeps/<uuid:sweep_id>/", views.sweep_detail, name="sweep"),
    path("sweeps/<uuid:sweep_id>/results.csv", views.sweep_download, name="sweep-download"),
]
