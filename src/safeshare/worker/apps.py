from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "safeshare.worker"
    label = "worker"
