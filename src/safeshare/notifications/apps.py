from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "safeshare.notifications"
    label = "notifications"
    verbose_name = "Notifications"
