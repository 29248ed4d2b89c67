from django.urls import path

from safeshare.accounts import recovery_views, views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/security-code/", views.second_factor, name="second-factor"),
    path("sign-in/set-up-two-step/", views.second_factor_enrol, name="second-factor-enrol"),
    path("account/two-step-sign-in/", views.second_factor_setup, name="second-factor-setup"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path(
        "administration/two-step-sign-in/",
        recovery_views.reset_second_factor,
        name="second-factor-reset",
    ),
]
