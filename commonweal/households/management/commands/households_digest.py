"""`commonweal households_digest`: e-mail each supervisor the patches that need attention (run weekly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from commonweal.households.digests import send_digests
from commonweal.measures.conf import MeasuresSettingError


class Command(BaseCommand):
    help = (
        "E-mail each supervisor of community health workers the patches behind their goal this month or "
        "with households not visited for 30 days or more."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = send_digests()
        except MeasuresSettingError as error:
            self.stderr.write(f"commonweal households_digest: {error}")
            raise SystemExit(2) from error
        self.stdout.write(str(report))
