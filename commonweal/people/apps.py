from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "commonweal.people"
    verbose_name = "People"
