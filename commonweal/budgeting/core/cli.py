"""`commonweal budgeting tally FILE.pb --rule RULE`: count a pabulib file with a voting rule (no Django).

Prints the selected project ids, one per line, in the order the rule selected them; `--json` prints one
JSON object with the ids, the total cost and the seconds the count took; `--explain` adds why each
project won or lost. Bad input gets one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import NoReturn, TextIO

from commonweal.budgeting.core.election import ElectionError
from commonweal.budgeting.core.equal_shares import Add1Options, Comparison
from commonweal.budgeting.core.outcome import Outcome, TieBreak, TieBreaking
from commonweal.budgeting.core.pb_format import PbFormatError, election_from_pb, read_pb
from commonweal.budgeting.core.voting_rules import Rule, RuleOptions, tally


class UsageError(ValueError):
    """The command line or the input files cannot be used; the message says why."""


class _Parser(argparse.ArgumentParser):
    """An argument parser that raises instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        """Raise the usage error so that main() prints one line."""
        raise UsageError(message)


def _parser() -> _Parser:
    parser = _Parser(prog="commonweal budgeting", description="Participatory budgeting tools.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    count = commands.add_parser("tally", help="count a .pb file with a voting rule")
    count.add_argument("file", type=Path, help="the pabulib .pb file")
    count.add_argument("--rule", required=True, choices=[rule.value for rule in Rule])
    count.add_argument("--json", action="store_true", help="print one JSON object instead of one id per line")
    count.add_argument("--explain", action="store_true", help="also say why each project won or lost")
    count.add_argument(
        "--tie-breaking",
        default=TieBreak.PROJECT_ID.value,
        help="comma-separated criteria from "
        + ", ".join(criterion.value for criterion in TieBreak)
        + " (default: project-id, as pabutools)",
    )
    count.add_argument(
        "--lot-order", default="", help="comma-separated project ids, for --tie-breaking lot-order"
    )
    count.add_argument(
        "--threshold", default=None, help="minimum score for greedy-threshold (default: from META)"
    )
    count.add_argument(
        "--comparison",
        default=Comparison.NONE.value,
        choices=[comparison.value for comparison in Comparison],
        help="the equalshares.net comparison step for the mes rules (default: none)",
    )
    count.add_argument(
        "--no-exhaustive-stop",
        action="store_true",
        help="Add1: keep raising the shares past outcomes to which nothing more fits (as Wieliczka 2023 did)",
    )
    count.add_argument(
        "--weights", type=Path, default=None, help="CSV of voter_id,weight: voter weights (optional)"
    )
    return parser


def _tie_breaking(text: str, lot_order: str) -> TieBreaking:
    criteria: list[TieBreak] = []
    for word in (part.strip() for part in text.split(",") if part.strip()):
        try:
            criteria.append(TieBreak(word))
        except ValueError:
            known = ", ".join(criterion.value for criterion in TieBreak)
            raise UsageError(f"unknown tie-breaking criterion {word!r}; use {known}") from None
    order = tuple(part.strip() for part in lot_order.split(",") if part.strip())
    if TieBreak.LOT_ORDER in criteria and not order:
        raise UsageError("--tie-breaking lot-order needs --lot-order with the project ids in order")
    return TieBreaking(tuple(criteria) or (TieBreak.PROJECT_ID,), order)


def _number(text: str, what: str) -> Fraction:
    try:
        return Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise UsageError(f"{what} must be a number, not {text!r}") from None


def _weights(path: Path) -> dict[str, Fraction]:
    weights: dict[str, Fraction] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.reader(handle), start=1):
            if not row or (line == 1 and row[0].strip().lower() == "voter_id"):
                continue
            if len(row) != 2:
                raise UsageError(f"{path.name} line {line}: expected voter_id,weight")
            weights[row[0].strip()] = _number(row[1], f"the weight in {path.name} line {line}")
    return weights


def _json_number(value: Fraction) -> int | float:
    return value.numerator if value.denominator == 1 else float(value)


def _print_explanation(outcome: Outcome, out: TextIO) -> None:
    for note in outcome.notes:
        print(f"note: {note}", file=out)
    for tie in outcome.ties:
        print(f"tie at step {tie.step} between {', '.join(tie.tied)}: {tie.chosen} chosen", file=out)
    for winner in outcome.winners:
        print(f"funded {winner.project_id}: {winner.reason}", file=out)
    for loser in outcome.losers:
        print(f"not funded {loser.project_id}: {loser.explanation}", file=out)


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run `tally …`: print the selected projects; return 0, or 2 with one line on stderr."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    try:
        arguments = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        return _tally(arguments, out)
    except (UsageError, PbFormatError, ElectionError) as error:
        print(f"error: {error}", file=err)
        return 2
    except OSError as error:
        print(f"error: {error.filename or ''}: {error.strerror or error}", file=err)
        return 2


def _tally(arguments: argparse.Namespace, out: TextIO) -> int:
    path: Path = arguments.file
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not a .pb file")
    pb = read_pb(path)
    election = election_from_pb(pb)
    options = RuleOptions(
        tie_breaking=_tie_breaking(arguments.tie_breaking, arguments.lot_order),
        voter_weights=_weights(arguments.weights) if arguments.weights else None,
        threshold=_number(arguments.threshold, "--threshold") if arguments.threshold is not None else None,
        add1=Add1Options(exhaustive=not arguments.no_exhaustive_stop),
        comparison=Comparison(arguments.comparison),
        explain=arguments.explain,
    )
    started = time.perf_counter()
    outcome = tally(election, Rule(arguments.rule), options)
    seconds = time.perf_counter() - started
    if arguments.json:
        document: dict[str, object] = {
            "file": str(path),
            "rule": outcome.rule,
            "selected": list(outcome.selected),
            "total_cost": _json_number(outcome.total_cost),
            "budget": _json_number(outcome.budget),
            "seconds": round(seconds, 6),
            "tie_breaking": outcome.tie_breaking.describe(),
            "ties": [{"step": t.step, "tied": list(t.tied), "chosen": t.chosen} for t in outcome.ties],
            "notes": list(outcome.notes),
        }
        if outcome.voter_share is not None:
            document["voter_share"] = round(float(outcome.voter_share), 6)
        if arguments.explain:
            document["winners"] = [
                {
                    "project_id": w.project_id,
                    "stage": w.stage.value,
                    "supporters": len(w.supporters),
                    "reason": w.reason,
                }
                for w in outcome.winners
            ]
            document["losers"] = [
                {
                    "project_id": loser.project_id,
                    "reason": loser.reason.value,
                    "explanation": loser.explanation,
                }
                for loser in outcome.losers
            ]
        print(json.dumps(document, ensure_ascii=False), file=out)
        return 0
    for project_id in outcome.selected:
        print(project_id, file=out)
    if arguments.explain:
        _print_explanation(outcome, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
