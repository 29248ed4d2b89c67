from django.urls import path

from safeshare.accounts import passkey_views, recovery_views, views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/security-code/", views.second_factor, name="second-factor"),
    path("sign-in/set-up-two-step/", views.second_factor_enrol, name="second-factor-enrol"),
    path("account/two-step-sign-in/", views.second_factor_setup, name="second-factor-setup"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("sign-in/passkey/options/", passkey_views.sign_in_options, name="passkey-options"),
    path("sign-in/passkey/", passkey_views.sign_in, name="passkey-sign-in"),
    path(
        "sign-in/set-up-two-step/passkey/options/",
        passkey_views.enrol_options,
        name="passkey-enrol-options",
    ),
    path("sign-in/set-up-two-step/passkey/", passkey_views.enrol, name="passkey-enrol"),
    path("account/passkeys/options/", passkey_views.account_options, name="passkey-add-options"),
    path("account/passkeys/", passkey_views.account_add, name="passkey-add"),
    path(
        "account/passkeys/<int:passkey_id>/remove/",
        passkey_views.account_remove,
        name="passkey-remove",
    ),
    path(
        "administration/two-step-sign-in/",
        recovery_views.reset_second_factor,
        name="second-factor-reset",
    ),
]
