from django.urls import path

from safeshare.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("stay-signed-in/", views.stay_signed_in, name="stay-signed-in"),
]
