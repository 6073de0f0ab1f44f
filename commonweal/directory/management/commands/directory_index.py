"""`commonweal directory_index`: load the built-in taxonomy and rebuild the search index."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from commonweal.directory.search_index import index_services
from commonweal.directory.taxonomy import ensure_builtin_taxonomies


class Command(BaseCommand):
    help = "Load the built-in taxonomy and rebuild the directory's search index."

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_builtin_taxonomies()
        count = index_services()
        self.stdout.write(f"Indexed {count} active services.")
