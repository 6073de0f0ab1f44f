"""`commonweal retention_sweep [--dry-run]`: anonymise or erase what the retention schedule says is due."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from commonweal.privacy.retention import sweep


class Command(BaseCommand):
    help = (
        "Carry out the retention schedule (commonweal/privacy/retention.toml): anonymise or erase each kind "
        "of record whose period has ended, and keep the report as an audit event."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what is due; change nothing")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        reports = sweep(at=timezone.now(), dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        for report in reports:
            line = f"{report.model}: {report.due} due, {report.done} {verb} {report.action}d"
            self.stdout.write(line + (f" ({report.problem})" if report.problem else ""))
        if dry_run:
            self.stdout.write("Dry run: nothing was changed and no report was recorded.")
        else:
            self.stdout.write("The report is kept in the audit as privacy.retention_sweep.")
