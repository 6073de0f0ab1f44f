"""`commonweal record_of_processing [--check]`: write docs/record-of-processing.md from the annotations."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.privacy.annotations import problems
from commonweal.privacy.record import document_path, out_of_date, render


class Command(BaseCommand):
    help = "Write the record of processing (UK GDPR Article 30) from the models' personal_data annotations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Only check that the document is up to date")

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        found = problems()
        if found:
            raise CommandError("Annotate the personal data first:\n" + "\n".join(found))
        path = document_path()
        if check:
            if out_of_date():
                raise CommandError(f"{path} is out of date: run `commonweal record_of_processing`.")
            self.stdout.write(f"{path} is up to date.")
            return
        path.write_text(render())
        self.stdout.write(f"Wrote {path}.")
