"""The fault tests' own app: a pause hook for the server and worker they start (never in production)."""

from __future__ import annotations

from django.apps import AppConfig


class FaultsConfig(AppConfig):
    name = "tests.faults"
    label = "faults"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from tests.faults import hooks

        connection_created.connect(hooks.install_pause, dispatch_uid="faults-pause")
