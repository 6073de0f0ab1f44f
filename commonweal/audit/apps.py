from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "commonweal.audit"
    verbose_name = "Access audit"

    def ready(self) -> None:
        # Registers the system check that person-level views cannot skip the access audit.
        from commonweal.audit import checks  # noqa: F401
