from django.apps import AppConfig


class AssembliesConfig(AppConfig):
    name = "commonweal.assemblies"
    verbose_name = "Citizens' assemblies and steering groups"
