"""`commonweal backup PATH`: a consistent copy of the database and its manifest (PATH.manifest.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.privacy.backups import BackupError, backup, manifest_path


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup or pg_dump -Fc) with a manifest of every table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--database", default="default", help="Database alias (default: default)")

    def handle(self, *args: Any, path: Path, database: str, **options: Any) -> None:
        try:
            manifest = backup(path, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            f"Backed up {len(manifest['tables'])} tables, {rows} rows ({manifest['vendor']}) to {path}; "
            f"manifest {manifest_path(path)}"
        )
