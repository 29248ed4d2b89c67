"""Operations routes. They sit outside the page table (EXEMPT_PATH_PREFIXES): /healthz and
/readyz are open to the load balancer, /metrics checks its own token or address."""

from django.urls import path

from safeshare.operations import views

app_name = "operations"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
]
