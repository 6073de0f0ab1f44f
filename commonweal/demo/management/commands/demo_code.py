"""`commonweal demo_code <login>`: the authenticator code a demo staff login signs in with now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.demo.second_factors import NotADemoAccount, demo_code


class Command(BaseCommand):
    help = "Print the current sign-in code of a demo staff login (e.g. `commonweal demo_code admin`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("login", help="The demo login's e-mail address, or the part before the @")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.stdout.write(demo_code(options["login"]))
        except NotADemoAccount as error:
            raise CommandError(str(error)) from error
