"""`commonweal load_places`: load the shared geography into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.places.loading import GeographyFileError, load_geography


class Command(BaseCommand):
    help = (
        "Load LSOAs (2011 and 2021) with IMD 2019, centroids, boundaries and postcodes from shared/data/geo."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--geo-dir",
            type=Path,
            default=None,
            help="Folder holding imd2019/, lsoa_centroids/, lsoa_boundaries/ and postcodes/ "
            "(default: shared/data/geo beside the project).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        geo_dir = options["geo_dir"] or Path(settings.COMMONWEAL_SHARED_DIR) / "data" / "geo"
        try:
            report = load_geography(geo_dir)
        except GeographyFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Loaded {report.lsoas_2011} LSOAs (2011), {report.lsoas_2021} LSOAs (2021) and "
            f"{report.postcodes} postcodes."
        )
        if report.lsoas_2021_without_imd:
            self.stdout.write(
                "IMD 2019 unknown for these 2021 LSOAs (their code changed since 2011): "
                + ", ".join(report.lsoas_2021_without_imd)
            )
