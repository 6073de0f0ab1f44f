from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "commonweal.organisations"
    verbose_name = "Organisations"
