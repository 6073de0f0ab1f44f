from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "commonweal.privacy"
    verbose_name = "Data protection: retention, erasure, record of processing, backups"
