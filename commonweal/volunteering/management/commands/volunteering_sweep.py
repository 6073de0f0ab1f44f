"""Run the volunteering sweeps: no-contact alerts, DBS expiry reminders and concern escalation."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from commonweal.volunteering import actions


class Command(BaseCommand):
    help = "Raise no-contact alerts, send DBS reminders (60/30/7 days), escalate unacknowledged concerns."

    def handle(self, *args: Any, **options: Any) -> None:
        alerts = actions.sweep_no_contact()
        reminders = actions.send_dbs_reminders()
        escalated = actions.escalate_overdue_concerns()
        self.stdout.write(
            f"{len(alerts)} no-contact alerts, {len(reminders)} DBS reminders, "
            f"{len(escalated)} concerns escalated."
        )
