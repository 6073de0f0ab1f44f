"""`commonweal directory_reminders`: e-mail the owners of stale directory entries (run daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from commonweal.directory.actions import send_stale_reminders


class Command(BaseCommand):
    help = "E-mail each stale entry's owner organisation, at most once a month per entry."

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = send_stale_reminders()
        self.stdout.write(f"Sent {len(reminded)} reminder{'s' if len(reminded) != 1 else ''}.")
        for service in reminded:
            self.stdout.write(f"  {service.name}")
