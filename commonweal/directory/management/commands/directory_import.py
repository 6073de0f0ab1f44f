"""`commonweal directory_import`: run a queued import, or import a file, folder or feed straight away."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.directory.importers import ImportRefused, run_import, start_import
from commonweal.directory.models import ImportRun


class Command(BaseCommand):
    help = "Import ORUK 3.0 JSON or feed, ORUK v1 JSON, or an HSDS CSV package; or carry out a queued run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", nargs="?", help="A file, a folder of CSV files, or a feed URL")
        parser.add_argument("--run", type=int, help="Carry out the queued import run with this id")
        parser.add_argument("--format", choices=[choice for choice, _ in ImportRun.Format.choices])
        parser.add_argument(
            "--partial", action="store_true", help="Keep accepted records when some are rejected"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["run"] is not None:
            run = ImportRun.objects.filter(pk=options["run"]).first()
            if run is None:
                raise CommandError(f"There is no import run {options['run']}.", returncode=2)
        else:
            if not options["source"] or not options["format"]:
                raise CommandError("Give a source and --format, or --run <id>.", returncode=2)
            try:
                run = start_import(
                    by=None, format=options["format"], source=options["source"], partial=options["partial"]
                )
            except ImportRefused as refusal:
                raise CommandError(str(refusal), returncode=2) from refusal
        run = run_import(run)
        self.stdout.write(f"Import {run.pk}: {run.get_state_display()}. {run.message}")
        for row in run.report:
            if row["result"] == "rejected":
                self.stdout.write(
                    f"  rejected #{row['number']} {row['id']} {row['name']}: {'; '.join(row['reasons'])}"
                )
        if run.state == ImportRun.State.FAILED:
            raise CommandError(run.message, returncode=2)
