from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "commonweal.directory"
    verbose_name = "Community directory"
