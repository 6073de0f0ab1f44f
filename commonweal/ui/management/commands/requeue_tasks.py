"""`commonweal requeue_tasks`: put the tasks of background workers that died back on the queue.

`commonweal periodic` runs it; each worker also runs it when it starts (docs/decisions/1205).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from commonweal.ui import background


class Command(BaseCommand):
    help = "Put running tasks whose worker's lease ran out back on the queue (or fail them after 3 starts)."

    def handle(self, *args: Any, **options: Any) -> None:
        requeued, failed = background.requeue_expired_tasks()
        if requeued or failed:
            self.stdout.write(f"Tasks of stopped workers: {requeued} back on the queue, {failed} failed.")
