from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "commonweal.ui"
    verbose_name = "User interface"
