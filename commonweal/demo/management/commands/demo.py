"""`commonweal demo`: build the fictional demo borough (idempotent) and print the demo logins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.demo.builder import DEMO_LOGINS, DEMO_PASSWORD, build_demo
from commonweal.places.loading import GeographyFileError


class Command(BaseCommand):
    help = "Build the demo borough (a fictional Trafford on real geography) from a seed; safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2019, help="Random seed (default 2019)")
        parser.add_argument("--residents", type=int, default=2000, help="Number of residents (default 2000)")
        parser.add_argument(
            "--report", action="store_true", help="Print row counts and the residents' checksum as JSON"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["residents"] < 1:
            raise CommandError("--residents must be at least 1.")
        geo_dir = Path(settings.COMMONWEAL_SHARED_DIR) / "data" / "geo"
        try:
            report = build_demo(geo_dir=geo_dir, seed=options["seed"], residents=options["residents"])
        except GeographyFileError as error:
            raise CommandError(str(error)) from error
        if options["report"]:
            self.stdout.write(
                json.dumps(
                    {"counts": report.counts, "residents_checksum": report.residents_checksum}, indent=2
                )
            )
            return
        self.stdout.write(
            "The demo borough was already loaded; nothing changed."
            if report.already_loaded
            else "Demo borough built."
        )
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.role.label:<32} {login.email}")
        self.stdout.write(
            "\nStaff logins then ask for a code from an authenticator app; print it with\n"
            "  commonweal demo_code <login>      e.g. commonweal demo_code admin"
        )
