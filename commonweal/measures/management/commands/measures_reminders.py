"""`commonweal measures_reminders`: the periodic sweep (run it every few minutes from cron or a timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from commonweal.measures.actions import run_sweep
from commonweal.measures.conf import MeasuresSettingError


class Command(BaseCommand):
    help = (
        "Start baseline questionnaires for people first seen, queue reminders for questionnaires that are "
        "due, and escalate safety alerts nobody has acknowledged in time."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = run_sweep()
        except MeasuresSettingError as error:
            self.stderr.write(f"commonweal measures_reminders: {error}")
            raise SystemExit(2) from error
        self.stdout.write(str(report))
