"""`commonweal periodic`: run the periodic sweeps (reminders, escalations, refreshes) every few minutes.

`make run` starts it beside the web server. In production, run each command from cron or a systemd timer
instead, or run this one as a service. A sweep that fails is reported and the others still run.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run the periodic sweeps listed in settings.COMMONWEAL_PERIODIC_COMMANDS, in a loop."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=int, default=300, help="seconds between rounds (default 300)")
        parser.add_argument("--once", action="store_true", help="run one round, then stop")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] < 1:
            raise CommandError("--interval must be at least 1 second.")
        while True:
            for name in settings.COMMONWEAL_PERIODIC_COMMANDS:
                try:
                    call_command(name, stdout=self.stdout, stderr=self.stderr)
                except Exception as error:  # one failing sweep must not stop the others
                    self.stderr.write(f"commonweal periodic: {name} failed: {error}")
            if options["once"]:
                return
            time.sleep(options["interval"])
