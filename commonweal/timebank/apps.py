from django.apps import AppConfig


class TimebankConfig(AppConfig):
    name = "commonweal.timebank"
    verbose_name = "Timebank"
