"""`commonweal refresh_evidence`: rebuild the evidence dashboards' summaries (run it nightly from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from commonweal.evidence.summaries import refresh_summaries


class Command(BaseCommand):
    help = (
        "Score newly submitted questionnaires and rebuild the summary tables behind the evidence "
        "dashboards from the journey and measures records."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run = refresh_summaries(by=None)
        self.stdout.write(
            f"Summaries rebuilt in {run.seconds:.1f} s: {run.referrals} referrals, {run.connections} "
            f"connections, {run.outcome_pairs} score changes ({run.responses_scored} responses newly scored)."
        )
