"""`manage.py check_timebank`: prove every cached balance equal to its movements and every ledger balanced."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from commonweal.timebank.models import Bank, Movement
from commonweal.timebank.queries import ledger_problems


class Command(BaseCommand):
    help = (
        "Prove the timebank ledgers: each account's cached balance equals the sum of its movements, each "
        "bank's balances sum to zero, each counted transfer is one debit and one credit summing to zero."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        problems = ledger_problems()
        seconds = time.perf_counter() - started
        for problem in problems:
            self.stderr.write(f"WRONG {problem}")
        if problems:
            found = f"{len(problems)} problem{pluralize(len(problems))}"
            raise CommandError(f"{found} in the timebank ledgers; first: {problems[0]}")
        banks = Bank.objects.count()
        self.stdout.write(
            f"ok {banks} bank{pluralize(banks)}, {Movement.objects.count()} movements "
            f"proved in {seconds:.2f} s"
        )
