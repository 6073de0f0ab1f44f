"""`commonweal restore PATH [--into URL]`: replace a database with a backup, checked table by table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.privacy.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `commonweal backup` into the configured database (or --into URL), "
        "then check every table's row count and checksum against the manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--into", default=None, help="Database URL to restore into instead")
        parser.add_argument("--database", default="default", help="Database alias (default: default)")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="Do not ask first"
        )

    def handle(
        self,
        *args: Any,
        path: Path,
        into: str | None,
        database: str,
        interactive: bool = True,
        **options: Any,
    ) -> None:
        if interactive and not into:
            answer = input("This replaces every row of the database with the backup. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            manifest = restore(path, into=into, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            f"Restored {len(manifest['tables'])} tables, {rows} rows from {path}; every table matches "
            "its manifest."
        )
