"""`commonweal demo`: build the fictional demo borough (idempotent) and print the demo logins."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal import demokit
from commonweal.accounts.models import User
from commonweal.places.loading import GeographyFileError


def keep_existing_as_of() -> None:
    """Build as of the day an existing demo was built for, so that steps added later fit its story.

    A new demo is built as of a recent Monday (or COMMONWEAL_DEMO_AS_OF); a database that already holds
    the demo keeps the "as of" its core accounts were made for, so `make run` a week later adds nothing
    dated a week apart from the rest.
    """
    made_at = (
        User.objects.filter(email=f"admin@{demokit.DEMO_EMAIL_DOMAIN}")
        .values_list("date_joined", flat=True)
        .first()
    )
    if made_at is not None:
        existing = demokit.as_of_of_core_records(made_at)
        named = os.environ.get(demokit.AS_OF_VARIABLE)
        if named and demokit.read_as_of(named, existing) != existing:
            raise CommandError(
                f"The demo in this database was built as of {existing:%A %-d %B %Y}, but "
                f"{demokit.AS_OF_VARIABLE} names {named}: unset it, or build on an empty database."
            )
        demokit.choose_as_of(existing)
    demokit.demo_as_of()


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
        try:
            keep_existing_as_of()
        except ValueError as error:
            raise CommandError(str(error)) from error
        # The builders read the "as of" when they are imported: only now.
        from commonweal.demo.builder import DEMO_LOGINS, DEMO_PASSWORD, build_demo

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
        as_of = demokit.demo_as_of()
        self.stdout.write(f"Its records are dated around {as_of:%A %-d %B %Y}, the day the demo is as of.")
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.role.label:<32} {login.email}")
        self.stdout.write(
            "\nStaff logins then ask for a code from an authenticator app; print it with\n"
            "  commonweal demo_code <login>      e.g. commonweal demo_code admin"
        )
