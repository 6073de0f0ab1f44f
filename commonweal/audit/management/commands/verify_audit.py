"""`commonweal verify_audit`: check the hash chains of the access log and the write log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from commonweal.audit.queries import CHAINED_MODELS, chain_break, chain_heads


class Command(BaseCommand):
    help = "Verify the hash chains of the access log and the write log; name the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        heads = chain_heads()
        broken = []
        for model in CHAINED_MODELS:
            found = chain_break(model)
            if found is not None:
                broken.append(found)
                self.stderr.write(f"BROKEN {found}")
                continue
            head = heads.get(model._meta.label)
            length, last = (head.length, head.last_hash) if head else (0, "-")
            self.stdout.write(f"ok {model._meta.db_table}: {length} rows, last hash {last}")
        if broken:
            raise CommandError(
                f"{len(broken)} audit chain{pluralize(len(broken))} broken; first: {broken[0]}"
            )
