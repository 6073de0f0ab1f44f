from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "commonweal.places"
    verbose_name = "Places"
