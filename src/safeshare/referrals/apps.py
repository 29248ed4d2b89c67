from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "safeshare.referrals"
    label = "referrals"
