from django.urls import path

from safeshare.oversight import reads_views, views

app_name = "oversight"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("statistics/", views.statistic, name="statistic"),
    path("statistics/download/", views.download, name="download"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/acknowledge/", views.acknowledge_alert, name="alert-acknowledge"),
    path("comparison/", views.comparison, name="comparison"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export/", views.ledger_export, name="ledger-export"),
    path("retention/", views.retention, name="retention"),
    path("reads/", reads_views.reads, name="reads"),
]
