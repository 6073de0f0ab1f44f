from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "commonweal.participation"
    label = "participation"
    verbose_name = "Community power"
