from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "commonweal.evidence"
    verbose_name = "Evidence: dashboards, SROI and shared outcomes"
